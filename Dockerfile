# Static binary on a distroless base; SQLite needs no cgo (pure-Go driver).
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /frontdesk ./cmd/frontdesk

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /frontdesk /frontdesk
ENV DATA_DIR=/data ADDR=:8080
EXPOSE 8080
ENTRYPOINT ["/frontdesk"]
CMD ["serve"]
