package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
)

// userCommand handles "user add": the password is read from the first line
// of stdin so it never appears in the process list or shell history.
func userCommand(ctx context.Context, cfg config, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return errUsage
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	email := fs.String("email", "", "sign-in email")
	role := fs.String("role", "", "admin, frontdesk or practitioner")
	name := fs.String("name", "", "display name")
	practitioner := fs.String("practitioner", "", "practitioner id (role practitioner)")
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	password, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password from stdin: %w", err)
	}
	password = strings.TrimRight(password, "\r\n")
	u := domain.User{Email: *email, Name: *name, Role: domain.Role(*role), PractitionerID: *practitioner, Active: true}
	if err := u.Validate(); err != nil {
		return err
	}
	if err := domain.CheckPassword(password); err != nil {
		return fmt.Errorf("password (stdin): %w", err)
	}
	store, err := storage.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer store.Close()
	setup := &domain.Setup{Store: store, Clock: domain.SystemClock, HashPassword: auth.HashPassword}
	if u, err = setup.CreateUser(ctx, domain.ActorCLI, u, password); err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	fmt.Fprintf(stdout, "created %s %s (%s)\n", u.Role, u.Email, u.ID)
	return nil
}
