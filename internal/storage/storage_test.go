package storage_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/storage"
	"github.com/teachtrack/api/internal/storage/s3test"
)

// lister is what the tests ask of a backend beyond Store: what it holds.
type lister interface {
	storage.Store
	Keys(ctx context.Context, prefix string) ([]string, error)
}

// backends runs fn on a local directory and on a real S3-compatible server.
func backends(t *testing.T, fn func(t *testing.T, s lister)) {
	t.Run("local", func(t *testing.T) { fn(t, storage.NewLocal(t.TempDir())) })
	t.Run("s3", func(t *testing.T) { fn(t, s3test.Start(t).Store) })
}

func TestRoundTrip(t *testing.T) {
	backends(t, func(t *testing.T, s lister) {
		ctx := context.Background()
		// Larger than one multipart part, so S3 streams it in several.
		data := make([]byte, 11<<20+123)
		_, _ = rand.Read(data)
		key := "notes/0123456789abcdef0123456789abcdef.pdf"
		n, err := s.Put(ctx, key, bytes.NewReader(data), "application/pdf")
		if err != nil || n != int64(len(data)) {
			t.Fatalf("Put: %d bytes, %v; want %d", n, err, len(data))
		}
		o, err := s.Get(ctx, key)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if o.Size() != int64(len(data)) || time.Since(o.ModTime()) > time.Hour {
			t.Errorf("size %d, modified %s; want %d, now", o.Size(), o.ModTime(), len(data))
		}
		// Ranges: the object seeks.
		if _, err := o.Seek(int64(len(data)-10), io.SeekStart); err != nil {
			t.Fatal(err)
		}
		tail, err := io.ReadAll(o)
		o.Close()
		if err != nil || !bytes.Equal(tail, data[len(data)-10:]) {
			t.Fatalf("read after seek: %x, %v; want %x", tail, err, data[len(data)-10:])
		}
		o, _ = s.Get(ctx, key)
		got, err := io.ReadAll(o)
		o.Close()
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("read back %d bytes (%v), not what was put", len(got), err)
		}
		if err := s.Delete(ctx, key); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if _, err := s.Get(ctx, key); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("Get after Delete: %v, want ErrNotFound", err)
		}
		if err := s.Delete(ctx, key); err != nil {
			t.Fatalf("Delete of a missing object: %v, want nil", err)
		}
		if keys, err := s.Keys(ctx, ""); err != nil || len(keys) != 0 {
			t.Fatalf("left behind: %v %v", keys, err)
		}
	})
}

// failingReader yields n random bytes and then fails, like a client that
// goes away in the middle of an upload.
type failingReader struct{ n int }

var errClientGone = errors.New("client went away")

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n == 0 {
		return 0, errClientGone
	}
	k := min(len(p), f.n)
	_, _ = rand.Read(p[:k])
	f.n -= k
	return k, nil
}

func TestFailedPutLeavesNothing(t *testing.T) {
	backends(t, func(t *testing.T, s lister) {
		ctx := context.Background()
		for _, size := range []int{1000, 12 << 20} { // within one part; after two parts were sent
			key := "notes/fedcba9876543210fedcba9876543210.txt"
			if _, err := s.Put(ctx, key, &failingReader{n: size}, "text/plain"); !errors.Is(err, errClientGone) {
				t.Fatalf("Put of a failing reader: %v, want its error", err)
			}
			if keys, err := s.Keys(ctx, ""); err != nil || len(keys) != 0 {
				t.Fatalf("after a failed Put of %d bytes the store holds %v (%v)", size, keys, err)
			}
			if s3, ok := s.(*storage.S3); ok {
				if n, err := s3.PendingUploads(ctx); err != nil || n != 0 {
					t.Fatalf("after a failed Put, %d multipart uploads are pending (%v)", n, err)
				}
			}
		}
	})
}

func TestKeysAreOnlyOurs(t *testing.T) {
	backends(t, func(t *testing.T, s lister) {
		ctx := context.Background()
		for _, key := range []string{"../../etc/passwd", "/etc/passwd", "notes/../../x.pdf", "notes/abc.pdf",
			"notes/0123456789abcdef0123456789abcdef", "notes/0123456789ABCDEF0123456789abcdef.pdf", ""} {
			if _, err := s.Put(ctx, key, strings.NewReader("x"), "text/plain"); err == nil {
				t.Errorf("Put(%q) was accepted", key)
			}
			if _, err := s.Get(ctx, key); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("Get(%q): %v, want ErrNotFound", key, err)
			}
		}
		if keys, _ := s.Keys(ctx, ""); len(keys) != 0 {
			t.Fatalf("the store holds %v", keys)
		}
	})
}
