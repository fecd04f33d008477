package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// cpuCaps gives each database process its own CPU cgroup with an equal quota,
// so on one machine each node behaves like a small server of its own (without
// caps, replicas share the same cores and add no read capacity).
type cpuCaps struct {
	version string   // "v1" or "v2"
	root    string   // the hierarchy's root, where processes go back
	groups  []string // one per node
	pids    []int
}

// newCPUCaps makes one cgroup per pid, each capped at cpus CPUs. It returns
// an error saying why when cgroups aren't writable here.
func newCPUCaps(pids []int, cpus float64) (*cpuCaps, error) {
	const period = 100000
	quota := int(cpus * period)
	c := &cpuCaps{pids: pids}
	switch {
	case writable("/sys/fs/cgroup/cpu/cgroup.procs"):
		c.version, c.root = "v1", "/sys/fs/cgroup/cpu"
	case hasController("/sys/fs/cgroup/cgroup.controllers", "cpu") && writable("/sys/fs/cgroup/cgroup.procs"):
		c.version, c.root = "v2", "/sys/fs/cgroup"
	default:
		return nil, errors.New("no writable cgroup with the cpu controller (need root and cgroup v1 /sys/fs/cgroup/cpu or cgroup v2 with cpu enabled)")
	}
	for i, pid := range pids {
		dir := filepath.Join(c.root, fmt.Sprintf("ttbench-node%d", i))
		if err := os.Mkdir(dir, 0o755); err != nil && !os.IsExist(err) {
			c.release()
			return nil, fmt.Errorf("creating cgroup %s: %w", dir, err)
		}
		c.groups = append(c.groups, dir)
		var err error
		if c.version == "v1" {
			err = errors.Join(write(dir, "cpu.cfs_period_us", strconv.Itoa(period)), write(dir, "cpu.cfs_quota_us", strconv.Itoa(quota)))
		} else {
			err = write(dir, "cpu.max", fmt.Sprintf("%d %d", quota, period))
		}
		if err == nil {
			// cgroup.procs moves every thread of the process.
			err = write(dir, "cgroup.procs", strconv.Itoa(pid))
		}
		if err != nil {
			c.release()
			return nil, fmt.Errorf("capping pid %d in %s: %w", pid, dir, err)
		}
	}
	return c, nil
}

// release moves the processes back to the root group and removes the groups.
func (c *cpuCaps) release() {
	for _, pid := range c.pids {
		_ = write(c.root, "cgroup.procs", strconv.Itoa(pid))
	}
	for _, g := range c.groups {
		_ = os.Remove(g)
	}
}

func write(dir, file, value string) error {
	return os.WriteFile(filepath.Join(dir, file), []byte(value), 0o644)
}

func writable(path string) bool {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

func hasController(path, name string) bool {
	b, err := os.ReadFile(path)
	return err == nil && slices.Contains(strings.Fields(string(b)), name)
}
