package handlers

import "fazhibot/accounts"

// hashPassword checks password against the accounts rules and returns its
// hash at the console's cost.
func (c *consoleServer) hashPassword(password string) (string, error) {
	return accounts.Hash(password, c.passwordCost)
}
