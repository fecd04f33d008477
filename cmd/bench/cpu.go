package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat
// (100 on every Linux this runs on).
const clockTicks = 100

// cpuSeconds is the CPU time (user + system) process pid has used so far.
func cpuSeconds(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces: count fields after its ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	f := strings.Fields(s[i+1:])
	// After ')' come state (field 3) … utime (14) and stime (15).
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	u, err1 := strconv.ParseUint(f[11], 10, 64)
	k, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: bad utime/stime", pid)
	}
	return float64(u+k) / clockTicks, nil
}

// cpuMeter measures the CPU each process of a run used over its measured
// phase: the server under load, the three database nodes and the load
// generator (this process), so a run's cost per request can be split
// between them.
type cpuMeter struct {
	pids   map[string]int
	before map[string]float64
}

// newCPUMeter names the processes to measure; the target is "api" or "ref".
func (b *bench) newCPUMeter(target string, targetPID int) *cpuMeter {
	m := &cpuMeter{pids: map[string]int{target: targetPID, "loadgen": os.Getpid()}}
	for i, name := range []string{"primary", "replica-1", "replica-2"} {
		if pid, err := b.cl.pid(i); err == nil {
			m.pids[name] = pid
		}
	}
	return m
}

func (m *cpuMeter) start() {
	m.before = map[string]float64{}
	for name, pid := range m.pids {
		if s, err := cpuSeconds(pid); err == nil {
			m.before[name] = s
		}
	}
}

// stop returns each process's CPU milliseconds per request over requests.
func (m *cpuMeter) stop(requests int64) map[string]float64 {
	if m.before == nil || requests <= 0 {
		return nil
	}
	out := map[string]float64{}
	for name, pid := range m.pids {
		b, ok := m.before[name]
		s, err := cpuSeconds(pid)
		if !ok || err != nil {
			continue
		}
		out[name] = (s - b) * 1000 / float64(requests)
	}
	return out
}

// cpuTotal is the sum of a run's CPU per request over every process.
func cpuTotal(ms map[string]float64) float64 {
	var t float64
	for _, v := range ms {
		t += v
	}
	return t
}
