package db

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDetectFlavor(t *testing.T) {
	tests := []struct {
		version string
		want    Flavor
		wantErr string
	}{
		{"10.11.19-MariaDB-0+deb12u1-log", MariaDB, ""},
		{"11.4.2-MariaDB", MariaDB, ""},
		// MariaDB behind MaxScale or old clients reports a MySQL-looking prefix.
		{"5.5.5-10.6.16-MariaDB-1:10.6.16+maria~ubu2204", MariaDB, ""},
		{"8.0.23", MySQL, ""},
		{"8.0.36-0ubuntu0.22.04.1", MySQL, ""},
		{"8.0.35-27", MySQL, ""}, // Percona Server
		{"8.4.3", MySQL, ""},
		{"8.4.0-commercial", MySQL, ""},
		{"9.1.0", MySQL, ""},
		{"8.0.22", 0, "too old"},
		{"8.0.11-log", 0, "too old"},
		{"5.7.44-log", 0, "too old"},
		{"5.6.51", 0, "too old"},
		{"8.0", 0, "unrecognised"},
		{"", 0, "unrecognised"},
		{"PostgreSQL 16.1", 0, "unrecognised"},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			got, err := DetectFlavor(tt.version)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("DetectFlavor(%q) = %v, %v; want an error with %q", tt.version, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("DetectFlavor(%q) = %v, %v; want %v", tt.version, got, err, tt.want)
			}
		})
	}
}

func TestChangeSourceSQL(t *testing.T) {
	// A password holding a quote and a backslash must come out as one literal.
	const password = `it's\a "pass"`
	tests := []struct {
		flavor Flavor
		want   string
	}{
		{MariaDB, `CHANGE MASTER TO MASTER_HOST='db-primary', MASTER_PORT=3316, MASTER_USER='tt_repl', ` +
			`MASTER_PASSWORD='it\'s\\a "pass"', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=5, MASTER_SSL=1`},
		{MySQL, `CHANGE REPLICATION SOURCE TO SOURCE_HOST='db-primary', SOURCE_PORT=3316, SOURCE_USER='tt_repl', ` +
			`SOURCE_PASSWORD='it\'s\\a "pass"', SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1, SOURCE_CONNECT_RETRY=5, SOURCE_SSL=1`},
	}
	for _, tt := range tests {
		t.Run(tt.flavor.String(), func(t *testing.T) {
			got := changeSourceSQL(tt.flavor, "db-primary", 3316, "tt_repl", password, true)
			if got != tt.want {
				t.Errorf("changeSourceSQL:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestQuote(t *testing.T) {
	tests := map[string]string{
		"plain":                 `'plain'`,
		`o'brien`:               `'o\'brien'`,
		`back\slash`:            `'back\\slash'`,
		`\'`:                    `'\\\''`,
		"nul\x00nl\ncr\r^Z\x1a": `'nul\0nl\ncr\r^Z\Z'`,
	}
	for in, want := range tests {
		if got := quote(in); got != want {
			t.Errorf("quote(%q) = %s, want %s", in, got, want)
		}
	}
}

// The per-flavor statements are what the reference manuals of MariaDB 10.11
// and MySQL 8.0.23+/8.4 name; MySQL 8.4 removed the SLAVE/MASTER spellings.
func TestFlavorStatements(t *testing.T) {
	got := map[Flavor][]string{}
	for _, f := range []Flavor{MariaDB, MySQL} {
		got[f] = []string{showReplicaStatusSQL(f), stopReplicaSQL(f), startReplicaSQL(f), gtidPositionSQL(f), primaryPositionSQL(f), waitForGTIDSQL(f)}
	}
	want := map[Flavor][]string{
		MariaDB: {"SHOW SLAVE STATUS", "STOP SLAVE", "START SLAVE", "SELECT @@GLOBAL.gtid_current_pos", "SELECT @@GLOBAL.gtid_binlog_pos", "SELECT MASTER_GTID_WAIT(?, ?)"},
		MySQL:   {"SHOW REPLICA STATUS", "STOP REPLICA", "START REPLICA", "SELECT @@GLOBAL.gtid_executed", "SELECT @@GLOBAL.gtid_executed", "SELECT WAIT_FOR_EXECUTED_GTID_SET(?, ?)"},
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("statements (-got +want):\n%s", diff)
	}
}

// Fixtures in testdata/ (the mysql/mariadb client's \G layout):
//   - mysql-8.4-show-replica-status.txt: the example of the MySQL 8.4 Reference
//     Manual, "SHOW REPLICA STATUS Statement" (the 8.0 manual shows the same).
//   - mysql-8.0-show-replica-status-sql-error.txt: the same columns for a
//     replica whose applier stopped on a duplicate key, with the coordinator
//     message MySQL 8 prints and a two-line Executed_Gtid_Set.
//   - mariadb-10.11-show-slave-status.txt: captured from the local replica
//     (`mariadb -h127.0.0.1 -P3317 -e 'SHOW SLAVE STATUS\G'`, 10.11.19).
//   - mariadb-10.11-show-slave-status-sql-error.txt: that capture with the SQL
//     thread stopped on error 1062 (MariaDB's message wording) and NULL lag.
func TestParseReplicaStatus(t *testing.T) {
	lag0 := int64(0)
	tests := []struct {
		file   string
		flavor Flavor
		want   ReplicaState
	}{
		{"mysql-8.4-show-replica-status.txt", MySQL, ReplicaState{
			Configured: true, SourceHost: "127.0.0.1", SourcePort: 13000, SourceUser: "root",
			IORunning: true, SQLRunning: true, LagSeconds: &lag0,
			GTIDPosition: "73f86016-978b-11ee-ade5-8d2a2a562feb:1-3", Received: "73f86016-978b-11ee-ade5-8d2a2a562feb:1-3",
		}},
		{"mysql-8.0-show-replica-status-sql-error.txt", MySQL, ReplicaState{
			Configured: true, SourceHost: "db-primary.internal", SourcePort: 3306, SourceUser: "tt_repl",
			IORunning: true, SQLRunning: false, LagSeconds: nil,
			GTIDPosition: "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5,ab7e7e8a-b2f3-11ee-8d0a-0242ac120003:1-2",
			Received:     "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-9",
			LastError: "Coordinator stopped because there were error(s) in the worker(s). The most recent failure being: " +
				"Worker 1 failed executing transaction '3e11fa47-71ca-11e1-9e33-c80aa9429562:6' at source log binlog.000004, " +
				"end_log_pos 17964. See error log and/or performance_schema.replication_applier_status_by_worker table " +
				"for more details about this failure or others, if any.",
		}},
		// SHOW SLAVE STATUS on MariaDB has Gtid_IO_Pos (received) but not
		// Gtid_Slave_Pos (applied: only SHOW ALL SLAVES STATUS has it), so the
		// position here is what the IO thread has received.
		{"mariadb-10.11-show-slave-status.txt", MariaDB, ReplicaState{
			Configured: true, SourceHost: "127.0.0.1", SourcePort: 3316, SourceUser: "tt_repl",
			IORunning: true, SQLRunning: true, LagSeconds: &lag0, GTIDPosition: "0-1-21", Received: "0-1-21",
		}},
		{"mariadb-10.11-show-slave-status-sql-error.txt", MariaDB, ReplicaState{
			Configured: true, SourceHost: "127.0.0.1", SourcePort: 3316, SourceUser: "tt_repl",
			IORunning: true, SQLRunning: false, LagSeconds: nil, GTIDPosition: "0-1-21", Received: "0-1-21",
			LastError: "Could not execute Write_rows_v1 event on table tt.t; Duplicate entry '1' for key 'PRIMARY', " +
				"Error_code: 1062; handler error HA_ERR_FOUND_DUPP_KEY; the event's master log mysql-bin.000001, end_log_pos 6120",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			row := readVertical(t, filepath.Join("testdata", tt.file))
			got := parseReplicaStatus(tt.flavor, row)
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("parseReplicaStatus (-got +want):\n%s", diff)
			}
		})
	}
	t.Run("not a replica", func(t *testing.T) {
		if got := parseReplicaStatus(MariaDB, map[string]string{}); got.Configured || got.IORunning || got.LagSeconds != nil {
			t.Errorf("parseReplicaStatus(empty) = %+v, want zero", got)
		}
	})
	t.Run("IO thread still connecting", func(t *testing.T) {
		row := readVertical(t, filepath.Join("testdata", "mysql-8.4-show-replica-status.txt"))
		row["Replica_IO_Running"], row["Seconds_Behind_Source"] = "Connecting", "NULL"
		got := parseReplicaStatus(MySQL, row)
		if got.IORunning || !got.SQLRunning || got.LagSeconds != nil {
			t.Errorf("IORunning=%v SQLRunning=%v Lag=%v; want false, true, nil", got.IORunning, got.SQLRunning, got.LagSeconds)
		}
	})
}

// vKey matches "   Column_Name: value" in the client's vertical (\G) layout.
var vKey = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_]*):(?: (.*))?$`)

// readVertical reads the first row of a \G listing as column → value, the way
// readReplicaState hands a row to parseReplicaStatus (NULL stays "NULL").
// A line that is no "Column: value" continues the previous value: the server
// sends multi-line values such as a long Executed_Gtid_Set with newlines.
func readVertical(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	row := map[string]string{}
	var last string
	inRow := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "***"):
			if inRow {
				return row // only the first row
			}
			inRow = true
			continue
		case !inRow:
			continue
		case strings.Contains(line, " in set"):
			return row
		}
		if m := vKey.FindStringSubmatch(line); m != nil {
			last = m[1]
			row[last] = strings.TrimRight(m[2], " ")
			continue
		}
		if last == "" {
			t.Fatalf("%s: value line %q before any column", path, line)
		}
		row[last] += "\n" + line
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(row) == 0 {
		t.Fatalf("%s: no row found", path)
	}
	return row
}
