package db

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// ChangeResult is what a switchover or failover did.
type ChangeResult struct {
	From, To string // labels of the old and the new primary
	// WriteGap is how long no node accepted writes: from the old primary
	// turning read-only (switchover) or the command starting (failover) to
	// the new one turning writable.
	WriteGap time.Duration
}

// Switchover hands the primary role to another node for planned maintenance:
// the primary turns read-only, the target applies every transaction, the
// other nodes (the old primary included) are re-pointed at the target with
// GTID positions, and the target turns writable. to names the target ("" for
// the most advanced replica). No acknowledged write can be lost: nothing
// commits between read-only and the target's catching up.
func Switchover(ctx context.Context, rc ReplicationConfig, to string, out io.Writer) (ChangeResult, error) {
	var res ChangeResult
	if err := rc.validate(true); err != nil {
		return res, err
	}
	s, err := takeSurvey(ctx, rc)
	if err != nil {
		return res, err
	}
	defer s.Close()
	old, err := s.primary(false)
	if err != nil {
		return res, err
	}
	if old.ReadOnly {
		return res, fmt.Errorf("no node is writable (%s looks like the primary but is read-only): finish the interrupted change with `api replication setup`", old.label())
	}
	var target *surveyed
	if to != "" {
		if target, err = s.find(to); err != nil {
			return res, err
		}
	} else {
		target = s.mostAdvanced(s.followers(old))
	}
	switch {
	case target == nil:
		return res, errors.New("no replica answers with both replication threads running: nothing to switch over to")
	case target == old:
		return res, fmt.Errorf("%s is already the primary", target.label())
	case !target.reachable():
		return res, fmt.Errorf("%s does not answer: %v", target.label(), target.Err)
	case !target.Replica.Configured || !target.Replica.IORunning || !target.Replica.SQLRunning:
		return res, fmt.Errorf("%s is not replicating (threads stopped or no source): it may lack transactions; fix its replication first", target.label())
	}
	res.From, res.To = old.label(), target.label()
	fmt.Fprintf(out, "switchover from %s to %s\n", res.From, res.To)

	start := time.Now()
	if _, err := old.conn.ExecContext(ctx, "SET GLOBAL read_only = 1"); err != nil {
		return res, fmt.Errorf("%s: turning read-only: %w", old.label(), err)
	}
	// read_only waits for commits in progress, so this is the last position.
	if err := s.refresh(ctx, old); err != nil {
		return res, s.undo(ctx, old, err)
	}
	fmt.Fprintf(out, "%s: read-only at %s\n", old.label(), displayGTID(old.Binlog))
	if err := s.waitApplied(ctx, target, old.Binlog, 30*time.Second); err != nil {
		return res, s.undo(ctx, old, err)
	}
	if err := s.promote(ctx, target, append(s.followers(old), old), out); err != nil {
		return res, err
	}
	res.WriteGap = time.Since(start)
	fmt.Fprintf(out, "%s: writable; write gap %s\n", target.label(), res.WriteGap.Round(time.Millisecond))
	return res, nil
}

// undo makes the old primary writable again after a switchover failed
// before the target was promoted.
func (s *survey) undo(ctx context.Context, old *surveyed, cause error) error {
	if _, err := old.conn.ExecContext(ctx, "SET GLOBAL read_only = 0"); err != nil {
		return fmt.Errorf("%w; and turning %s writable again failed: %v (no node takes writes: run `api replication setup`)", cause, old.label(), err)
	}
	return fmt.Errorf("%w; %s is writable again, nothing changed", cause, old.label())
}

// followers are the reachable nodes other than p that replicate.
func (s *survey) followers(p *surveyed) []*surveyed {
	var out []*surveyed
	for _, n := range s.nodes {
		if n != p && n.reachable() && n.Replica.Configured {
			out = append(out, n)
		}
	}
	return out
}

// mostAdvanced is the node among nodes holding every other's transactions
// (the first such, so DATABASE_REPLICA_URLS order breaks ties); nil for none.
func (s *survey) mostAdvanced(nodes []*surveyed) *surveyed {
	for _, c := range nodes {
		all := true
		for _, o := range nodes {
			if ok, err := gtidContains(s.flavor, c.Binlog, o.Binlog); err != nil || !ok {
				all = false
			}
		}
		if all {
			return c
		}
	}
	if len(nodes) > 0 {
		return nodes[0]
	}
	return nil
}

// promote makes target the primary: it stops replicating, the others follow
// it, and once one acknowledges semi-synchronously it turns writable (so its
// first commit neither stalls nor falls back to asynchronous replication).
func (s *survey) promote(ctx context.Context, target *surveyed, others []*surveyed, out io.Writer) error {
	if err := s.detach(ctx, target); err != nil {
		return err
	}
	if err := s.refresh(ctx, target); err != nil {
		return err
	}
	var failed []string
	for _, n := range others {
		if n == target || !n.reachable() {
			continue
		}
		if err := s.follow(ctx, n, target, !n.Replica.Configured); err != nil {
			// The promotion goes on: a node left behind is re-pointed later
			// (`replication setup` or `rejoin`), it does not hold writes up.
			failed = append(failed, err.Error())
			continue
		}
		fmt.Fprintf(out, "%s: now follows %s\n", n.label(), target.label())
	}
	if !s.waitSemiSyncClient(ctx, target, 3*time.Second) {
		fmt.Fprintf(out, "%s: no replica acknowledges semi-synchronously yet: its first commits may wait SEMI_SYNC_TIMEOUT\n", target.label())
	}
	if _, err := target.conn.ExecContext(ctx, "SET GLOBAL read_only = 0"); err != nil {
		return fmt.Errorf("%s: turning writable: %w", target.label(), err)
	}
	if len(failed) > 0 {
		fmt.Fprintf(out, "not re-pointed (run `api replication setup` once they answer): %s\n", strings.Join(failed, "; "))
	}
	return nil
}

// FailoverOptions adjust Failover.
type FailoverOptions struct {
	// Force promotes even when semi-synchronous replication had fallen back
	// to asynchronous, when acknowledged writes may be on no replica.
	Force bool
	// SemiSyncFellBack says the caller saw the primary in asynchronous mode
	// before it went (the API's health checker knows; a command can't ask a
	// dead primary).
	SemiSyncFellBack bool
}

// Failover promotes a replica when the primary is gone: the replicas stop
// receiving, apply their relay logs, the one holding the most transactions
// is promoted and the others follow it. It refuses while any node is
// writable (that is a switchover's job), when no replica answers, and when
// semi-synchronous replication was not acknowledging (unless opts.Force).
func Failover(ctx context.Context, rc ReplicationConfig, opts FailoverOptions, out io.Writer) (ChangeResult, error) {
	var res ChangeResult
	if err := rc.validate(true); err != nil {
		return res, err
	}
	start := time.Now()
	s, err := takeSurvey(ctx, rc)
	if err != nil {
		return res, err
	}
	defer s.Close()
	if w := s.writable(); len(w) > 0 {
		return res, fmt.Errorf("%s answers and is writable: the primary is up, so nothing fails over; for a planned change use `api replication switchover`", w[0].label())
	}
	var cands, down []*surveyed
	for _, n := range s.nodes {
		switch {
		case !n.reachable():
			down = append(down, n)
		case n.Replica.Configured:
			cands = append(cands, n)
		}
	}
	if len(cands) == 0 {
		var why []string
		for _, n := range s.nodes {
			if n.reachable() {
				why = append(why, n.label()+" replicates from no one")
			} else {
				why = append(why, fmt.Sprintf("%s does not answer (%v)", n.label(), n.Err))
			}
		}
		return res, fmt.Errorf("no replica is eligible for promotion: %s", strings.Join(why, "; "))
	}
	acking := false
	for _, n := range cands {
		acking = acking || n.SemiSync.ReplicaActive
	}
	if (opts.SemiSyncFellBack || !acking) && !opts.Force {
		return res, errors.New("semi-synchronous replication was not acknowledging (fallen back to asynchronous, or off on every replica): " +
			"writes the old primary acknowledged may be on no replica. Bring the primary back if you can; " +
			"`api replication failover --force` promotes anyway and loses whatever only the old primary had")
	}
	if opts.Force {
		fmt.Fprintln(out, "--force: transactions the old primary committed that no replica received are lost (rejoin will refuse it as diverged)")
	}
	// Nothing more arrives (the primary is gone, and must not half-come back
	// now); each applies what it has received.
	for _, n := range cands {
		if _, err := n.conn.ExecContext(ctx, receiverStopSQL(s.flavor)); err != nil {
			return res, fmt.Errorf("%s: stopping the receiver: %w", n.label(), err)
		}
		if err := s.refresh(ctx, n); err != nil {
			return res, err
		}
		if err := s.waitApplied(ctx, n, n.Replica.Received, 60*time.Second); err != nil {
			return res, err
		}
		if err := s.refresh(ctx, n); err != nil {
			return res, err
		}
	}
	target := s.mostAdvanced(cands)
	from := "the old primary"
	if len(down) > 0 {
		from = down[0].label()
	}
	res.From, res.To = from, target.label()
	fmt.Fprintf(out, "failover from %s to %s (at %s)\n", from, target.label(), displayGTID(target.Binlog))
	if err := s.promote(ctx, target, cands, out); err != nil {
		return res, err
	}
	res.WriteGap = time.Since(start)
	fmt.Fprintf(out, "%s: writable, %s after the command started\n", target.label(), res.WriteGap.Round(time.Millisecond))
	for _, n := range down {
		fmt.Fprintf(out, "%s is down: once it is back (read-only), `api replication rejoin %s` makes it a replica\n", n.label(), n.Name)
	}
	return res, nil
}

func receiverStopSQL(f Flavor) string {
	if f == MySQL {
		return "STOP REPLICA IO_THREAD"
	}
	return "STOP SLAVE IO_THREAD"
}

// Rejoin makes node (a former primary back after a failover, say) a replica
// of the current primary, when its history is a prefix of the primary's. A
// node holding a transaction the primary never had has diverged: it is left
// read-only and untouched, with a sentence saying so.
func Rejoin(ctx context.Context, rc ReplicationConfig, node string, out io.Writer) error {
	if err := rc.validate(true); err != nil {
		return err
	}
	s, err := takeSurvey(ctx, rc)
	if err != nil {
		return err
	}
	defer s.Close()
	n, err := s.find(node)
	if err != nil {
		return err
	}
	if !n.reachable() {
		return fmt.Errorf("%s does not answer: %v", n.label(), n.Err)
	}
	var p *surveyed
	for _, w := range s.writable() {
		if w != n {
			p = w
		}
	}
	if p == nil {
		return fmt.Errorf("no node other than %s is writable: there is no primary to rejoin (is %s the primary?)", n.label(), n.label())
	}
	if !n.ReadOnly {
		// Two writable nodes: the API refuses writes until one is read-only.
		if _, err := n.conn.ExecContext(ctx, "SET GLOBAL read_only = 1"); err != nil {
			return fmt.Errorf("%s: turning read-only: %w", n.label(), err)
		}
		fmt.Fprintf(out, "%s: was writable beside %s; now read-only\n", n.label(), p.label())
	}
	if d, gtid := s.diverged(n, p); d {
		return fmt.Errorf("%s has diverged: it holds %s, which the primary %s never received (a commit no replica had acknowledged). "+
			"It stays read-only and out of service; rebuild it from a backup of the primary", n.label(), gtid, p.label())
	}
	// It starts from its own binary log, which holds all it ever had.
	if err := s.follow(ctx, n, p, true); err != nil {
		return err
	}
	if err := s.refresh(ctx, p); err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := waitCaughtUp(wctx, n.conn, s.flavor, p.Binlog); err != nil {
		return fmt.Errorf("%s: %w", n.label(), err)
	}
	fmt.Fprintf(out, "%s: replica of %s, caught up to %s\n", n.label(), p.label(), displayGTID(p.Binlog))
	return nil
}
