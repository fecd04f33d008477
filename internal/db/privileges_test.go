package db_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/teachtrack/api/internal/dbtest"
)

// TestAppUserPrivileges checks, with the API's own credentials on the shared
// cluster, that a stolen app connection can do little: no writes on replicas,
// nothing outside its database.
func TestAppUserPrivileges(t *testing.T) {
	d := dbtest.New(t)
	// A database the app user was never granted, as another tenant's would be.
	other := d.Name + "_other"
	if _, err := d.Admin().Exec("CREATE DATABASE `" + other + "`"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = d.Admin().Exec("DROP DATABASE IF EXISTS `" + other + "`") })
	if _, err := d.Admin().Exec("CREATE TABLE `" + other + "`.secrets (v TEXT)"); err != nil {
		t.Fatal(err)
	}
	if err := d.WaitReplicas(context.Background()); err != nil {
		t.Fatal(err)
	}
	cfg, err := d.Config()
	if err != nil {
		t.Fatal(err)
	}
	open := func(t *testing.T, c *mysql.Config) *sql.DB {
		t.Helper()
		conn, err := sql.Open("mysql", c.FormatDSN())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return conn
	}
	primary := open(t, cfg.Primary)
	// MySQL error numbers: 1044/1045/1142/1227 access denied, 1290 --read-only.
	denied := map[uint16]bool{1044: true, 1045: true, 1142: true, 1227: true, 1290: true}
	refused := func(t *testing.T, conn *sql.DB, stmt string) {
		t.Helper()
		_, err := conn.Exec(stmt)
		var me *mysql.MySQLError
		if !errors.As(err, &me) || !denied[me.Number] {
			t.Errorf("%s: %v, want access denied or read-only", stmt, err)
		}
	}
	t.Run("primary", func(t *testing.T) {
		for _, stmt := range []string{
			"SELECT * FROM mysql.user",
			"SELECT * FROM `" + other + "`.secrets",
			"INSERT INTO `" + other + "`.secrets VALUES ('x')",
			"CREATE DATABASE tt_evil",
			"DROP DATABASE `" + other + "`",
			"GRANT ALL ON *.* TO CURRENT_USER()",
			"CREATE USER evil IDENTIFIED BY 'x'",
			"SET GLOBAL read_only = 0",
			"SELECT LOAD_FILE('/etc/passwd') INTO OUTFILE '/tmp/tt-evil'",
			"SHUTDOWN",
		} {
			refused(t, primary, stmt)
		}
		// The grants: its own database, and monitoring for the health checker.
		rows, err := primary.Query("SHOW GRANTS")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var g string
			_ = rows.Scan(&g)
			global := strings.Contains(g, " ON *.* ")
			if global && !strings.HasPrefix(g, "GRANT USAGE ON") && !strings.HasPrefix(g, "GRANT SLAVE MONITOR ON") && !strings.HasPrefix(g, "GRANT REPLICATION CLIENT ON") {
				t.Errorf("the app user has a global grant: %s", g)
			}
		}
		if _, err := primary.Exec("INSERT INTO schools (name, created_at) VALUES ('ok', NOW())"); err != nil {
			t.Errorf("the app user can't write its own database on the primary: %v", err)
		}
	})
	for i, rc := range cfg.Replicas {
		t.Run("replica-"+string(rune('1'+i)), func(t *testing.T) {
			replica := open(t, rc)
			var n int
			if err := replica.QueryRow("SELECT COUNT(*) FROM users").Scan(&n); err != nil {
				t.Errorf("the app user can't read its database on a replica: %v", err)
			}
			for _, stmt := range []string{
				"INSERT INTO schools (name, created_at) VALUES ('stray', NOW())",
				"UPDATE users SET role = 'SUPER_ADMIN'",
				"DELETE FROM users",
				"CREATE TABLE stray (id INT)",
				"DROP TABLE users",
				"SELECT * FROM mysql.user",
				"STOP SLAVE",
			} {
				refused(t, replica, stmt)
			}
		})
	}
}
