package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/teachtrack/api/internal/storage/s3test"
)

// A 50 MiB note upload streams through the API: the API process's peak
// resident memory grows by a few MiB, not by the file's size. The API runs
// as its own process (this test binary, as in TestSIGTERMUnderLoad), so
// the client's memory is not counted, and its peak (VmHWM) is reset just
// before the upload (/proc/PID/clear_refs).
func TestUploadMemoryIsFlat(t *testing.T) {
	const fileSize = 50 << 20
	// Far below the file's size, which a buffered upload adds at least once;
	// room for S3's 5 MiB part buffer, the garbage collector's slack and the
	// race detector's shadow memory (measured: +3 MiB local, +18 MiB s3).
	const maxGrowth = 32 << 20
	for _, backend := range []string{"local", "s3"} {
		t.Run(backend, func(t *testing.T) {
			d := newDB(t)
			addr := freeAddr(t)
			env := map[string]string{"HTTP_ADDR": addr, "UPLOAD_MAX_BYTES": "64MiB", "STORAGE_DIR": t.TempDir()}
			if backend == "s3" {
				kv := s3test.Start(t).Env()
				for i := 0; i+1 < len(kv); i += 2 {
					env[kv[i]] = kv[i+1]
				}
			}
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = []string{"TT_RUN_API_MAIN=1", "TT_API_ARGS=serve", "PATH=" + os.Getenv("PATH"), "LOG_LEVEL=warn"}
			for _, k := range apiEnv {
				cmd.Env = append(cmd.Env, k+"="+d.Getenv(k))
			}
			for k, v := range env {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			var stdout syncBuffer
			cmd.Stdout, cmd.Stderr = &stdout, &stdout
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
			base := "http://" + addr
			waitUntil(t, 60*time.Second, "the API ready", func() bool {
				res, err := http.Get(base + "/readyz")
				if err != nil {
					return false
				}
				res.Body.Close()
				return res.StatusCode == http.StatusOK
			})
			token := signUp(t, base)

			// Warm up: the first upload's buffers and connections.
			if status := uploadStream(t, base, token, 1<<20); status != http.StatusCreated {
				t.Fatalf("warm-up upload: %d\n%s", status, stdout.String())
			}
			pid := cmd.Process.Pid
			time.Sleep(200 * time.Millisecond)
			if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0); err != nil {
				t.Fatalf("resetting the peak RSS: %v", err)
			}
			before := procStatus(t, pid, "VmRSS")
			start := time.Now()
			if status := uploadStream(t, base, token, fileSize); status != http.StatusCreated {
				t.Fatalf("50 MiB upload: %d\n%s", status, stdout.String())
			}
			took := time.Since(start)
			peak := procStatus(t, pid, "VmHWM")
			growth := peak - before
			t.Logf("%s: RSS %.1f MiB before, peak %.1f MiB during a %d MiB upload (+%.1f MiB), %s",
				backend, mib(before), mib(peak), fileSize>>20, mib(growth), took.Round(time.Millisecond))
			if growth > maxGrowth {
				t.Fatalf("the API's peak RSS grew by %.1f MiB during a %d MiB upload, want at most %d MiB",
					mib(growth), fileSize>>20, maxGrowth>>20)
			}
		})
	}
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

// procStatus reads a kB field of /proc/PID/status, in bytes.
func procStatus(t *testing.T, pid int, field string) int64 {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

// signUp registers a teacher and returns their access token.
func signUp(t *testing.T, base string) string {
	t.Helper()
	post := func(path string, body any) *http.Response {
		b, _ := json.Marshal(body)
		res, err := http.Post(base+path, "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	creds := map[string]string{"email": "rss@example.com", "password": "password-1", "full_name": "R"}
	if res := post("/api/v1/auth/register", creds); res.StatusCode != http.StatusCreated {
		t.Fatalf("register: %d", res.StatusCode)
	}
	res := post("/api/v1/auth/login", map[string]string{"email": creds["email"], "password": creds["password"]})
	defer res.Body.Close()
	var login struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&login); err != nil || login.AccessToken == "" {
		t.Fatalf("login: %d %v", res.StatusCode, err)
	}
	return login.AccessToken
}

// uploadStream uploads a PDF of size bytes made on the fly, so the client
// holds no copy of it either, and returns the status.
func uploadStream(t *testing.T, base, token string, size int) int {
	t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		fw, err := mw.CreateFormFile("file", "big.pdf")
		if err == nil {
			_, err = io.Copy(fw, io.MultiReader(strings.NewReader("%PDF-1.7\n"), io.LimitReader(noise{rand.NewPCG(1, 2)}, int64(size-9))))
		}
		if err == nil {
			err = mw.WriteField("title", "Big")
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, _ := http.NewRequest("POST", base+"/api/v1/notes/upload", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		Note struct {
			FileSizeBytes int `json:"file_size_bytes"`
		} `json:"note"`
	}
	_ = json.NewDecoder(res.Body).Decode(&body)
	if res.StatusCode == http.StatusCreated && body.Note.FileSizeBytes != size {
		t.Fatalf("stored %d bytes, sent %d", body.Note.FileSizeBytes, size)
	}
	return res.StatusCode
}

// noise is an endless stream of pseudo-random bytes.
type noise struct{ src *rand.PCG }

func (n noise) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(n.src.Uint64())
	}
	return len(p), nil
}
