package db

import (
	"fmt"
	"strconv"
	"strings"
)

// gtidContains reports whether position have includes every transaction of
// want. MariaDB positions are domain-server-seq lists (one per domain; with
// gtid_strict_mode the sequence grows monotonically in a domain); MySQL
// positions are GTID sets (uuid:interval[:interval…], comma-separated).
func gtidContains(f Flavor, have, want string) (bool, error) {
	if f == MySQL {
		return mysqlGTIDContains(have, want)
	}
	h, err := parseMariaGTID(have)
	if err != nil {
		return false, err
	}
	w, err := parseMariaGTID(want)
	if err != nil {
		return false, err
	}
	for domain, seq := range w {
		if h[domain] < seq {
			return false, nil
		}
	}
	return true, nil
}

// parseMariaGTID reads "0-1-100,1-2-7" into domain → sequence number.
func parseMariaGTID(pos string) (map[uint32]uint64, error) {
	out := map[uint32]uint64{}
	for _, part := range strings.Split(pos, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		f := strings.Split(part, "-")
		if len(f) != 3 {
			return nil, fmt.Errorf("bad MariaDB GTID %q", part)
		}
		d, err1 := strconv.ParseUint(f[0], 10, 32)
		_, err2 := strconv.ParseUint(f[1], 10, 32)
		s, err3 := strconv.ParseUint(f[2], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, fmt.Errorf("bad MariaDB GTID %q", part)
		}
		if s > out[uint32(d)] {
			out[uint32(d)] = s
		}
	}
	return out, nil
}

type interval struct{ lo, hi uint64 }

// parseMySQLGTIDSet reads "uuid:1-5:7,uuid2:1-3" into uuid → intervals.
func parseMySQLGTIDSet(set string) (map[string][]interval, error) {
	out := map[string][]interval{}
	set = strings.ReplaceAll(strings.ReplaceAll(set, "\n", ""), " ", "")
	for _, part := range strings.Split(set, ",") {
		if part == "" {
			continue
		}
		f := strings.Split(part, ":")
		if len(f) < 2 {
			return nil, fmt.Errorf("bad MySQL GTID set %q", part)
		}
		uuid := strings.ToLower(f[0])
		for _, iv := range f[1:] {
			lo, hi, found := strings.Cut(iv, "-")
			l, err := strconv.ParseUint(lo, 10, 64)
			if err != nil {
				// A tagged GTID (MySQL 8.3+: uuid:tag:1-5) keeps the tag with the uuid.
				uuid += ":" + iv
				continue
			}
			h := l
			if found {
				if h, err = strconv.ParseUint(hi, 10, 64); err != nil {
					return nil, fmt.Errorf("bad MySQL GTID interval %q", iv)
				}
			}
			out[uuid] = append(out[uuid], interval{l, h})
		}
	}
	return out, nil
}

func mysqlGTIDContains(have, want string) (bool, error) {
	h, err := parseMySQLGTIDSet(have)
	if err != nil {
		return false, err
	}
	w, err := parseMySQLGTIDSet(want)
	if err != nil {
		return false, err
	}
	for uuid, ivs := range w {
		for _, iv := range ivs {
			if !covered(h[uuid], iv) {
				return false, nil
			}
		}
	}
	return true, nil
}

// covered reports whether iv lies inside the union of ivs.
func covered(ivs []interval, iv interval) bool {
	next := iv.lo
	for progress := true; progress && next <= iv.hi; {
		progress = false
		for _, h := range ivs {
			if h.lo <= next && next <= h.hi {
				next = h.hi + 1
				progress = true
			}
		}
	}
	return next > iv.hi
}
