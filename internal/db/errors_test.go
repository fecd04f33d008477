package db_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"github.com/teachtrack/api/internal/config"
	"github.com/teachtrack/api/internal/db"
	"github.com/teachtrack/api/internal/dbtest"
	"github.com/teachtrack/api/internal/models"
)

// TestTranslate provokes each error for real on the cluster where it can, and
// checks the domain error it becomes, with the driver's error kept in the chain.
func TestTranslate(t *testing.T) {
	d := dbtest.New(t)
	cfg := loadConfig(t, d)
	ctx := context.Background()
	primary := openApp(t, cfg.Primary)
	if _, err := primary.ExecContext(ctx, "INSERT INTO schools (id, name) VALUES (1, 'Alliance High')"); err != nil {
		t.Fatal(err)
	}
	provoke := func(query string) error {
		t.Helper()
		_, err := primary.ExecContext(ctx, query)
		if err == nil {
			t.Fatalf("%s succeeded, want an error", query)
		}
		return err
	}
	lockWaitTimeout := func() error {
		t.Helper()
		holder, err := primary.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer holder.Rollback()
		if _, err := holder.ExecContext(ctx, "UPDATE schools SET name = 'Held' WHERE id = 1"); err != nil {
			t.Fatal(err)
		}
		conn, err := primary.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SET SESSION innodb_lock_wait_timeout = 1"); err != nil {
			t.Fatal(err)
		}
		_, err = conn.ExecContext(ctx, "UPDATE schools SET name = 'Waiter' WHERE id = 1")
		if err == nil {
			t.Fatal("second UPDATE of a locked row succeeded")
		}
		return err
	}
	unreachable := func() error {
		t.Helper()
		c, err := config.ParseDatabaseURL("mysql://teachtrack:x@127.0.0.1:1/teachtrack")
		if err != nil {
			t.Fatal(err)
		}
		err = openApp(t, c).PingContext(ctx)
		if err == nil {
			t.Fatal("ping of port 1 succeeded")
		}
		return err
	}
	tests := []struct {
		name string
		err  error
		want error // nil: passes through unchanged
	}{
		{"duplicate key", provoke("INSERT INTO schools (name) VALUES ('Alliance High')"), models.ErrConflict},
		{"missing parent row", provoke("INSERT INTO users (email, password_hash, school_id) VALUES ('a@b.c', 'x', 999)"), models.ErrConflict},
		{"row still referenced", func() error {
			if _, err := primary.ExecContext(ctx, "CREATE TABLE pins (school_id BIGINT UNSIGNED, FOREIGN KEY (school_id) REFERENCES schools (id)) ENGINE=InnoDB"); err != nil {
				t.Fatal(err)
			}
			if _, err := primary.ExecContext(ctx, "INSERT INTO pins VALUES (1)"); err != nil {
				t.Fatal(err)
			}
			return provoke("DELETE FROM schools WHERE id = 1")
		}(), models.ErrConflict},
		{"lock wait timeout", lockWaitTimeout(), models.ErrUnavailable},
		{"node unreachable", unreachable(), models.ErrUnavailable},
		{"gorm record not found", fmt.Errorf("loading school: %w", gorm.ErrRecordNotFound), models.ErrNotFound},
		{"gorm duplicated key", gorm.ErrDuplicatedKey, models.ErrConflict},
		{"syntax error passes through", provoke("SELEC 1"), nil},
		{"cancelled by the client passes through", context.Canceled, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := db.Translate(tt.err)
			if tt.want == nil {
				if got != tt.err {
					t.Errorf("Translate(%v) = %v, want it unchanged", tt.err, got)
				}
				return
			}
			if !errors.Is(got, tt.want) {
				t.Errorf("Translate(%v) = %v, want %v", tt.err, got, tt.want)
			}
			if !errors.Is(got, tt.err) {
				t.Errorf("Translate(%v) lost the original error: %v", tt.err, got)
			}
		})
	}
	if db.Translate(nil) != nil {
		t.Error("Translate(nil) is not nil")
	}
	// A value longer than its column (strict mode's 1406) is the client's
	// mistake: a validation error naming the column, not a 500.
	var ve *models.ValidationError
	if err := db.Translate(provoke("INSERT INTO schools (name) VALUES (REPEAT('é', 300))")); !errors.As(err, &ve) || ve.Fields[0].Field != "name" {
		t.Errorf("Translate(data too long) = %v, want a validation error for name", err)
	}
	var me *mysql.MySQLError
	if !errors.As(db.Translate(provoke("INSERT INTO schools (name) VALUES ('Alliance High')")), &me) || me.Number != 1062 {
		t.Errorf("the driver's error is not reachable with errors.As after Translate")
	}
}
