// Package accounts holds the rules of the console's accounts, whoever
// asks (the console's pages, its API or the command line): what an account
// name and a password must be, how a password is stored and checked,
// generated passwords, and Service, which applies who may manage accounts
// and API tokens over a console store. Every function is safe for
// concurrent use.
package accounts

import (
	"crypto/rand"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

const (
	// MinPasswordRunes is the shortest password accepted.
	MinPasswordRunes = 8
	// MaxPasswordBytes is bcrypt's limit.
	MaxPasswordBytes = 72
	// MaxNameRunes bounds an account name.
	MaxNameRunes = 32
	// DefaultCost is the bcrypt cost of stored passwords.
	DefaultCost = bcrypt.DefaultCost
)

// RuleError is a name or password that breaks the rules. Its message is
// in Chinese, for staff.
type RuleError string

func (e RuleError) Error() string { return string(e) }

// CheckName returns the account name trimmed, or a RuleError when it is
// empty, longer than MaxNameRunes, or holds spaces or control characters.
func CheckName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", RuleError("请填写用户名")
	case utf8.RuneCountInString(name) > MaxNameRunes:
		return "", RuleError(fmt.Sprintf("用户名不能超过 %d 个字符", MaxNameRunes))
	case !utf8.ValidString(name) || strings.ContainsFunc(name, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }):
		return "", RuleError("用户名不能含有空格或控制字符")
	}
	return name, nil
}

// CheckPassword returns a RuleError unless password has at least
// MinPasswordRunes characters, at most MaxPasswordBytes bytes and no
// control characters.
func CheckPassword(password string) error {
	switch {
	case utf8.RuneCountInString(password) < MinPasswordRunes:
		return RuleError(fmt.Sprintf("密码至少需要 %d 个字符", MinPasswordRunes))
	case len(password) > MaxPasswordBytes:
		return RuleError(fmt.Sprintf("密码不能超过 %d 字节（约 %d 个汉字）", MaxPasswordBytes, MaxPasswordBytes/3))
	case !utf8.ValidString(password) || strings.ContainsFunc(password, unicode.IsControl):
		return RuleError("密码不能含有控制字符")
	}
	return nil
}

// CheckNewPassword checks a new password (CheckPassword) and that its
// confirmation is the same.
func CheckNewPassword(password, again string) error {
	if err := CheckPassword(password); err != nil {
		return err
	}
	if password != again {
		return RuleError("两次输入的密码不一致")
	}
	return nil
}

// Hash checks password (CheckPassword) and returns its bcrypt hash at
// cost, as stored in console.User.PasswordHash.
func Hash(password string, cost int) (string, error) {
	if err := CheckPassword(password); err != nil {
		return "", err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// Matches reports whether password matches a hash made by Hash.
func Matches(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// Generate returns a random password of 16 letters and digits (without
// look-alikes such as 0/O and 1/l), about 92 bits.
func Generate() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 16)
	for i := range b {
		b[i] = alphabet[randIntn(len(alphabet))]
	}
	return string(b)
}

// randIntn returns a uniform random int in [0, n) for small n.
func randIntn(n int) int {
	var b [1]byte
	for {
		_, _ = rand.Read(b[:])
		if int(b[0]) < 256-256%n {
			return int(b[0]) % n
		}
	}
}
