package auth

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
)

//go:embed common_passwords.txt
var commonPasswordsFile string

// commonPasswords is the embedded list as a set.
var commonPasswords = sync.OnceValue(func() map[string]bool {
	set := map[string]bool{}
	for _, line := range strings.Split(commonPasswordsFile, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			set[strings.ToLower(line)] = true
		}
	}
	return set
})

// minStem is the shortest listed password that still counts when digits or
// symbols follow it: "abc" + "1234567" is not refused for holding "abc".
const minStem = 4

// CommonPassword reports whether the password is one of the most commonly
// used passwords found in breaches (common_passwords.txt), ignoring case and
// surrounding spaces, or one of them with only digits, punctuation, symbols
// or spaces added at the end ("Password2024!", "woaini1314520", "Admin@123").
func CommonPassword(password string) bool {
	list := commonPasswords()
	pw := strings.ToLower(strings.TrimSpace(password))
	if list[pw] {
		return true
	}
	stem := strings.TrimRightFunc(pw, func(r rune) bool {
		return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsSpace(r)
	})
	return len(stem) >= minStem && stem != pw && list[stem]
}
