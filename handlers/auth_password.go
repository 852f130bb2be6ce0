package handlers

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

const (
	// minPasswordRunes is the shortest password accepted.
	minPasswordRunes = 8
	// maxPasswordBytes is bcrypt's limit.
	maxPasswordBytes = 72
	// maxUserNameRunes bounds an account name.
	maxUserNameRunes = 32
)

// HashPassword checks password against the console's rules (at least 8
// characters, at most 72 bytes, no control characters) and returns its
// bcrypt hash at the default cost, as stored in sqldb.User.PasswordHash.
// The error for a password that breaks the rules is in Chinese, for staff.
// It is safe for concurrent use.
func HashPassword(password string) (string, error) {
	h, err := hashPasswordCost(password, bcrypt.DefaultCost)
	if he, ok := errors.AsType[*httpError](err); ok {
		return "", errors.New(he.msg)
	}
	return h, err
}

// hashPassword is HashPassword at the console's cost.
func (c *console) hashPassword(password string) (string, error) {
	return hashPasswordCost(password, c.passwordCost)
}

func hashPasswordCost(password string, cost int) (string, error) {
	if err := checkPassword(password); err != nil {
		return "", err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// GeneratePassword returns a random password of 16 letters and digits
// (without look-alikes such as 0/O and 1/l), about 92 bits.
func GeneratePassword() string {
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

// checkPassword enforces the password rules; errors are 400s for staff.
func checkPassword(password string) error {
	switch {
	case utf8.RuneCountInString(password) < minPasswordRunes:
		return errInvalidRequest(fmt.Sprintf("密码至少需要 %d 个字符", minPasswordRunes), nil)
	case len(password) > maxPasswordBytes:
		return errInvalidRequest(fmt.Sprintf("密码不能超过 %d 字节（约 %d 个汉字）", maxPasswordBytes, maxPasswordBytes/3), nil)
	case !utf8.ValidString(password) || strings.ContainsFunc(password, unicode.IsControl):
		return errInvalidRequest("密码不能含有控制字符", nil)
	}
	return nil
}

// checkNewPassword checks a new password and its confirmation.
func checkNewPassword(password, again string) error {
	if err := checkPassword(password); err != nil {
		return err
	}
	if password != again {
		return errInvalidRequest("两次输入的密码不一致", nil)
	}
	return nil
}

// checkUserName returns the trimmed account name, or a 400 for staff.
func checkUserName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", errInvalidRequest("请填写用户名", nil)
	case utf8.RuneCountInString(name) > maxUserNameRunes:
		return "", errInvalidRequest(fmt.Sprintf("用户名不能超过 %d 个字符", maxUserNameRunes), nil)
	case !utf8.ValidString(name) || strings.ContainsFunc(name, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }):
		return "", errInvalidRequest("用户名不能含有空格或控制字符", nil)
	}
	return name, nil
}

// checkPasswordMatches reports whether password matches hash.
func checkPasswordMatches(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}
