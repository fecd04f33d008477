package db

import (
	"fmt"
	"strconv"
	"strings"
)

// Flavor is the database engine family; replication SQL differs between them.
type Flavor int

// The engines the API supports.
const (
	MariaDB Flavor = iota + 1
	MySQL
)

func (f Flavor) String() string {
	switch f {
	case MariaDB:
		return "mariadb"
	case MySQL:
		return "mysql"
	}
	return "unknown"
}

// DetectFlavor reads the answer of SELECT VERSION(). MySQL must be 8.0.23 or
// newer (the release that introduced CHANGE REPLICATION SOURCE TO).
func DetectFlavor(version string) (Flavor, error) {
	if strings.Contains(strings.ToLower(version), "mariadb") {
		return MariaDB, nil
	}
	core, _, _ := strings.Cut(version, "-")
	parts := strings.Split(core, ".")
	if len(parts) < 3 {
		return 0, fmt.Errorf("unrecognised server version %q", version)
	}
	var v [3]int
	for i := range v {
		n, err := strconv.Atoi(parts[i])
		if err != nil {
			return 0, fmt.Errorf("unrecognised server version %q", version)
		}
		v[i] = n
	}
	if v[0] < 8 || (v[0] == 8 && v[1] == 0 && v[2] < 23) {
		return 0, fmt.Errorf("MySQL %s is too old: replication setup needs 8.0.23 or newer", core)
	}
	return MySQL, nil
}

// gtidPositionSQL is the query for a node's applied GTID position: on MariaDB
// gtid_current_pos covers both its own writes and what it replicated.
func gtidPositionSQL(f Flavor) string {
	if f == MySQL {
		return "SELECT @@GLOBAL.gtid_executed"
	}
	return "SELECT @@GLOBAL.gtid_current_pos"
}

// primaryPositionSQL is the primary's position after its last commit.
func primaryPositionSQL(f Flavor) string {
	if f == MySQL {
		return "SELECT @@GLOBAL.gtid_executed"
	}
	return "SELECT @@GLOBAL.gtid_binlog_pos"
}

// waitForGTIDSQL blocks until the node has applied a position or the timeout
// (seconds) passes. Both return 0 when the position is reached.
func waitForGTIDSQL(f Flavor) string {
	if f == MySQL {
		return "SELECT WAIT_FOR_EXECUTED_GTID_SET(?, ?)"
	}
	return "SELECT MASTER_GTID_WAIT(?, ?)"
}

func showReplicaStatusSQL(f Flavor) string {
	if f == MySQL {
		return "SHOW REPLICA STATUS"
	}
	return "SHOW SLAVE STATUS"
}

func stopReplicaSQL(f Flavor) string {
	if f == MySQL {
		return "STOP REPLICA"
	}
	return "STOP SLAVE"
}

func startReplicaSQL(f Flavor) string {
	if f == MySQL {
		return "START REPLICA"
	}
	return "START SLAVE"
}

// changeSourceSQL points a replica at the primary with GTID auto-positioning;
// with tls, the replica connects to the primary over TLS (and the replication
// account requires it). Values are quoted here because CHANGE MASTER TO takes
// no placeholders.
func changeSourceSQL(f Flavor, host string, port int, user, password string, tls bool) string {
	if f == MySQL {
		return fmt.Sprintf("CHANGE REPLICATION SOURCE TO SOURCE_HOST=%s, SOURCE_PORT=%d, SOURCE_USER=%s, SOURCE_PASSWORD=%s, "+
			"SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1, SOURCE_CONNECT_RETRY=5, SOURCE_SSL=%d",
			quote(host), port, quote(user), quote(password), boolInt(tls))
	}
	return fmt.Sprintf("CHANGE MASTER TO MASTER_HOST=%s, MASTER_PORT=%d, MASTER_USER=%s, MASTER_PASSWORD=%s, "+
		"MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=5, MASTER_SSL=%d",
		quote(host), port, quote(user), quote(password), boolInt(tls))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// quote makes a SQL string literal, escaping quotes and backslashes.
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\x00", `\0`, "\n", `\n`, "\r", `\r`, "\x1a", `\Z`)
	return "'" + r.Replace(s) + "'"
}

// ReplicaState is one replica's answer to SHOW REPLICA/SLAVE STATUS.
type ReplicaState struct {
	Configured bool // the node has a replication source at all
	SourceHost string
	SourcePort int
	SourceUser string
	IORunning  bool
	SQLRunning bool
	LagSeconds *int64 // nil when the server reports NULL (not replicating)
	// GTIDPosition is, on MySQL, the executed (applied) set; on MariaDB it is
	// Gtid_IO_Pos, what the IO thread has received, because SHOW SLAVE STATUS
	// has no applied position (@@gtid_slave_pos has it).
	GTIDPosition string
	// Received is what the receiver (IO) thread has fetched, applied or not
	// (MariaDB Gtid_IO_Pos, MySQL Retrieved_Gtid_Set).
	Received  string
	LastError string
	// SSL is whether the replica connects to its source over TLS.
	SSL bool
}

// parseReplicaStatus reads a SHOW REPLICA/SLAVE STATUS row given as column → value.
// An empty row means the node is not a replica.
func parseReplicaStatus(f Flavor, row map[string]string) ReplicaState {
	if len(row) == 0 {
		return ReplicaState{}
	}
	pick := func(names ...string) string {
		for _, n := range names {
			if v, ok := row[n]; ok {
				return v
			}
		}
		return ""
	}
	s := ReplicaState{Configured: true}
	s.SourceHost = pick("Source_Host", "Master_Host")
	s.SourcePort, _ = strconv.Atoi(pick("Source_Port", "Master_Port"))
	s.SourceUser = pick("Source_User", "Master_User")
	s.IORunning = strings.EqualFold(pick("Replica_IO_Running", "Slave_IO_Running"), "Yes")
	s.SQLRunning = strings.EqualFold(pick("Replica_SQL_Running", "Slave_SQL_Running"), "Yes")
	s.SSL = strings.EqualFold(pick("Source_SSL_Allowed", "Master_SSL_Allowed"), "Yes")
	if lag := pick("Seconds_Behind_Source", "Seconds_Behind_Master"); lag != "" && !strings.EqualFold(lag, "NULL") {
		if n, err := strconv.ParseInt(lag, 10, 64); err == nil {
			s.LagSeconds = &n
		}
	}
	if f == MySQL {
		s.GTIDPosition = strings.ReplaceAll(pick("Executed_Gtid_Set"), "\n", "")
	} else {
		s.GTIDPosition = pick("Gtid_Slave_Pos", "Gtid_IO_Pos")
	}
	s.Received = strings.ReplaceAll(pick("Gtid_IO_Pos", "Retrieved_Gtid_Set"), "\n", "")
	if e := pick("Last_IO_Error"); e != "" {
		s.LastError = e
	}
	if e := pick("Last_SQL_Error"); e != "" {
		s.LastError = e
	}
	return s
}
