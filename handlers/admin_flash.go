package handlers

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

// A secret shown once (a new API token, a generated password) must not be
// in the answer to a POST, or refreshing the page would post the form
// again and make another one. The POST instead puts the secret in a
// short-lived cookie sealed with a key derived from the session cookie,
// and redirects; the users page opens it, shows the secret and clears
// the cookie. Nothing is kept on the server, so any instance can show it,
// and only the session that made the secret can read it.

const (
	// secretFlashCookie names the sealed secret's cookie.
	secretFlashCookie = "fazhibot_secret"
	// secretFlashTTL is how long the sealed secret can be opened.
	secretFlashTTL = 2 * time.Minute
	// secretFlashPath is where the cookie is sent: the users page only.
	secretFlashPath = adminPrefix + "users"
)

// sealedSecret is the cookie's content before sealing.
type sealedSecret struct {
	What    string    `json:"what"`
	Name    string    `json:"name"`
	Value   string    `json:"value"`
	Expires time.Time `json:"exp"`
}

// flashKey derives the sealing key from the session cookie's value.
func flashKey(sessionCookie string) []byte {
	k := sha256.Sum256([]byte("fazhibot secret flash\x00" + sessionCookie))
	return k[:]
}

// sealSecret seals s for the session whose cookie is sessionCookie, to be
// opened until now+secretFlashTTL.
func sealSecret(sessionCookie string, s shownSecret, now time.Time) (string, error) {
	plain, err := json.Marshal(sealedSecret{What: s.What, Name: s.Name, Value: s.Value, Expires: now.Add(secretFlashTTL)})
	if err != nil {
		return "", err
	}
	block, err := aes.NewCipher(flashKey(sessionCookie))
	if err != nil {
		return "", err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(gcm.Seal(nonce, nonce, plain, nil)), nil
}

// openSecret opens what sealSecret sealed for the same session cookie;
// false when it was sealed for another session, was altered or expired.
func openSecret(sessionCookie, sealed string, now time.Time) (shownSecret, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil {
		return shownSecret{}, false
	}
	block, err := aes.NewCipher(flashKey(sessionCookie))
	if err != nil {
		return shownSecret{}, false
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil || len(raw) < gcm.NonceSize() {
		return shownSecret{}, false
	}
	plain, err := gcm.Open(nil, raw[:gcm.NonceSize()], raw[gcm.NonceSize():], nil)
	if err != nil {
		return shownSecret{}, false
	}
	var s sealedSecret
	if err := json.Unmarshal(plain, &s); err != nil || !now.Before(s.Expires) {
		return shownSecret{}, false
	}
	return shownSecret{What: s.What, Name: s.Name, Value: s.Value}, true
}

// secretCookieName is the sealed secret's cookie name, with the __Secure-
// prefix when cookies are Secure.
func (c *consoleServer) secretCookieName() string {
	if c.secure {
		return "__Secure-" + secretFlashCookie
	}
	return secretFlashCookie
}

func (c *consoleServer) secretCookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: c.secretCookieName(), Value: value, Path: secretFlashPath, MaxAge: maxAge,
		HttpOnly: true, Secure: c.secure, SameSite: http.SameSiteStrictMode}
}

// redirectWithSecret seals secret for the request's session and sends the
// browser to the users page, which shows it once.
func (s *Server) redirectWithSecret(w http.ResponseWriter, r *http.Request, secret shownSecret, code string) error {
	c, err := r.Cookie(s.admin.cookieName())
	if err != nil {
		return errors.New("a console page without the session cookie")
	}
	sealed, err := sealSecret(c.Value, secret, s.now())
	if err != nil {
		return err
	}
	http.SetCookie(w, s.admin.secretCookie(sealed, int(secretFlashTTL/time.Second)))
	return redirectOK(w, r, secretFlashPath, code)
}

// takeSecret returns the secret sealed for this session, if any, and
// clears its cookie so that it shows only once.
func (s *Server) takeSecret(w http.ResponseWriter, r *http.Request) *shownSecret {
	flash, err := r.Cookie(s.admin.secretCookieName())
	if err != nil {
		return nil
	}
	http.SetCookie(w, s.admin.secretCookie("", -1))
	session, err := r.Cookie(s.admin.cookieName())
	if err != nil {
		return nil
	}
	if secret, ok := openSecret(session.Value, flash.Value, s.now()); ok {
		return &secret
	}
	return nil
}
