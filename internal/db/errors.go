package db

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"github.com/teachtrack/api/internal/models"
)

// MySQL error numbers the API reacts to.
const (
	erDupEntry         = 1062
	erRowIsReferenced  = 1451
	erNoReferencedRow  = 1452
	erOptionPreventsRO = 1290 // --read-only
	erLockWaitTimeout  = 1205
	erLockDeadlock     = 1213
	erDataTooLong      = 1406 // strict mode: a value longer than its column
	erTruncatedValue   = 1366 // strict mode: e.g. text the column's character set can't hold
)

// Translate turns a driver or GORM error into a domain error, keeping the
// original in the chain for logs. Errors it does not know pass through.
func Translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf("%w: %w", models.ErrNotFound, err)
	}
	if errors.Is(err, ErrNoSinglePrimary) {
		// Two writable nodes: the client retries once one is read-only.
		return fmt.Errorf("%w: %w", models.ErrUnavailable, err)
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return fmt.Errorf("%w: %w", models.ErrConflict, err)
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case erDupEntry:
			return fmt.Errorf("%w: %w", models.ErrConflict, err)
		case erRowIsReferenced, erNoReferencedRow:
			return fmt.Errorf("%w: %w", models.ErrConflict, err)
		case erOptionPreventsRO, erLockWaitTimeout, erLockDeadlock:
			// Transient: the client is told to retry (503 with Retry-After).
			return fmt.Errorf("%w: %w", models.ErrUnavailable, err)
		case erDataTooLong, erTruncatedValue:
			// The decoder bounds text by bytes (handlers.maxTextBytes); this
			// is the net under it for a column narrower than its validation:
			// a 422 naming the column, never a 500. The transaction rolls back.
			return fmt.Errorf("%w: %w", models.Invalid(columnOf(me.Message), "is too long or holds characters its column can't store"), err)
		}
		return err
	}
	if IsConnectionError(err) {
		return fmt.Errorf("%w: %w", models.ErrUnavailable, err)
	}
	return err
}

// columnOf finds the column a MySQL message names ("... for column 'x' at row 1").
func columnOf(msg string) string {
	_, rest, ok := strings.Cut(msg, "column '")
	if !ok {
		return "body"
	}
	col, _, _ := strings.Cut(rest, "'")
	if i := strings.LastIndexByte(col, '.'); i >= 0 {
		col = col[i+1:]
	}
	return col
}

// IsConnectionError reports whether err means the node could not be reached or
// the connection broke, as opposed to an error in the statement itself.
func IsConnectionError(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var oe *net.OpError
	return errors.As(err, &oe)
}
