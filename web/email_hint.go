package web

import (
	"encoding/json"
	"strings"
)

// domainTypos are misspellings of the mail providers patients use most,
// each with the domain they meant.
var domainTypos = map[string]string{
	"gmial.com": "gmail.com", "gmal.com": "gmail.com", "gmai.com": "gmail.com", "gamil.com": "gmail.com",
	"gnail.com": "gmail.com", "gmaill.com": "gmail.com", "gmail.co": "gmail.com", "gmail.cm": "gmail.com",
	"googlemail.con": "googlemail.com",
	"hotmial.com":    "hotmail.com", "hotmal.com": "hotmail.com", "hotmai.com": "hotmail.com", "hotmil.com": "hotmail.com",
	"homail.com": "hotmail.com", "hotmaill.com": "hotmail.com",
	"yahooo.com": "yahoo.com", "yaho.com": "yahoo.com", "yhoo.com": "yahoo.com", "yahoo.co": "yahoo.com",
	"outlok.com": "outlook.com", "outllok.com": "outlook.com", "outloo.com": "outlook.com",
	"iclod.com": "icloud.com", "icoud.com": "icloud.com", "icloud.co": "icloud.com",
	"aol.co": "aol.com",
}

// tldTypos are misspelt endings of .com and .net; .cm, .co and .ne are
// real country domains and stay.
var tldTypos = map[string]string{
	".con": ".com", ".cmo": ".com", ".ocm": ".com", ".cpm": ".com", ".vom": ".com", ".comm": ".com", ".xom": ".com",
	".nett": ".net", ".ent": ".net",
}

// emailSuggestion returns the address the patient probably meant when addr
// ends in a common misspelling ("jane@gmial.com" → "jane@gmail.com"), ""
// when it looks right. It only suggests: an address is never refused for it.
func emailSuggestion(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || strings.ContainsAny(addr, " \t") {
		return ""
	}
	local, dom := addr[:at], strings.ToLower(addr[at+1:])
	if fixed, ok := domainTypos[dom]; ok {
		return local + "@" + fixed
	}
	for typo, tld := range tldTypos {
		if strings.HasSuffix(dom, typo) {
			fixed := strings.TrimSuffix(dom, typo) + tld
			if f, ok := domainTypos[fixed]; ok {
				fixed = f
			}
			return local + "@" + fixed
		}
	}
	return ""
}

// emailTyposJSON is the same tables for site.js, which suggests as the
// patient types: one source for both.
var emailTyposJSON = func() string {
	b, err := json.Marshal(map[string]map[string]string{"domains": domainTypos, "endings": tldTypos})
	if err != nil {
		panic(err)
	}
	return string(b)
}()
