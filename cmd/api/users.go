package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/mail"
	"strings"

	"github.com/teachtrack/api/internal/auth"
	"github.com/teachtrack/api/internal/config"
	"github.com/teachtrack/api/internal/db"
	"github.com/teachtrack/api/internal/models"
)

const usersUsage = "usage: api users create-admin --email E --password-stdin"

// users runs `api users create-admin`: the only way to make the first
// SUPER_ADMIN, since no route may. It is idempotent: an existing account with
// that email is promoted, re-activated and given the password.
func users(ctx context.Context, cfg *config.Config, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create-admin" {
		return errors.New(usersUsage)
	}
	fs := flag.NewFlagSet("create-admin", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	email := fs.String("email", "", "")
	fromStdin := fs.Bool("password-stdin", false, "")
	if err := fs.Parse(args[1:]); err != nil || *email == "" || !*fromStdin || fs.NArg() > 0 {
		return errors.New(usersUsage + " (the password is read from standard input, never from the command line)")
	}
	if a, err := mail.ParseAddress(*email); err != nil || a.Address != strings.TrimSpace(*email) {
		return fmt.Errorf("--email %q is not an email address", *email)
	}
	// The first line of stdin, so `echo pw | api …` and a here-doc both work.
	password, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("reading the password from stdin: %w", err)
	}
	password = strings.TrimRight(password, "\r\n")
	if n := len(password); n < auth.MinPasswordBytes || n > auth.MaxPasswordBytes {
		return fmt.Errorf("the password must be between %d and %d bytes long", auth.MinPasswordBytes, auth.MaxPasswordBytes)
	}
	hash, err := auth.NewPasswords(cfg.BcryptCost).Hash(password)
	if err != nil {
		return err
	}
	cluster, err := openCluster(ctx, cfg, nil)
	if err != nil {
		return err
	}
	defer cluster.Close()
	gdb := cluster.OnPrimary(ctx)
	existing, err := models.UserByEmail(gdb, *email)
	switch {
	case errors.Is(err, models.ErrNotFound):
		u := &models.User{Email: *email, PasswordHash: hash, FullName: "Administrator", Role: models.RoleSuperAdmin, IsActive: true, EmailVerified: true}
		if err := models.CreateUser(gdb, u); err != nil {
			return db.Translate(err)
		}
		fmt.Fprintf(stdout, "created SUPER_ADMIN %s (id %d)\n", u.Email, u.ID)
		return nil
	case err != nil:
		return db.Translate(err)
	}
	if _, err := models.UpdateUser(gdb, existing.ID, map[string]any{
		"password_hash": hash, "role": models.RoleSuperAdmin, "is_active": true, "email_verified": true,
	}); err != nil {
		return db.Translate(err)
	}
	fmt.Fprintf(stdout, "updated %s (id %d): SUPER_ADMIN, active, new password\n", existing.Email, existing.ID)
	return nil
}
