package curriculum

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gorm.io/gorm"

	"github.com/teachtrack/api/internal/models"
)

// Status of one file in an import, beyond models.ImportStatus.
const (
	// StatusDuplicate is a file whose subject and grade an earlier file of
	// the same run already had (the first file in sorted order wins).
	StatusDuplicate = "duplicate"
	// StatusFailed is a file that could not be read, parsed or stored.
	StatusFailed = "failed"
)

// FileResult is what happened to one file.
type FileResult struct {
	File       string `json:"file"`
	Status     string `json:"status"`
	TemplateID uint64 `json:"template_id,omitempty"`
	Subject    string `json:"subject,omitempty"`
	Grade      string `json:"grade,omitempty"`
	Version    int    `json:"version,omitempty"`
	Strands    int    `json:"strands"`
	Substrands int    `json:"substrands"`
	Lessons    int    `json:"lessons"`
	Message    string `json:"message,omitempty"`
}

// Report is the outcome of importing files and directories.
type Report struct {
	Files []FileResult
	// Counts by status.
	Created, Updated, Unchanged, Duplicates, Failed int
}

// Totals sums the trees of the files that are in the catalogue after the
// run (created, updated or unchanged).
func (r *Report) Totals() (templates, strands, substrands, lessons int) {
	for _, f := range r.Files {
		switch f.Status {
		case string(models.ImportCreated), string(models.ImportUpdated), string(models.ImportUnchanged):
			templates++
			strands += f.Strands
			substrands += f.Substrands
			lessons += f.Lessons
		}
	}
	return
}

// String is the report's one-line summary.
func (r *Report) String() string {
	t, s, ss, l := r.Totals()
	return fmt.Sprintf("%d files: %d created, %d updated, %d unchanged, %d duplicates, %d failed; catalogue from these files: %d templates, %d strands, %d sub-strands, %d lessons",
		len(r.Files), r.Created, r.Updated, r.Unchanged, r.Duplicates, r.Failed, t, s, ss, l)
}

// Files expands paths (files, and directories searched recursively for
// *.json) into files, each with the name it is known by in the catalogue:
// its path below the directory given, or its base name. A directory's files
// come in sorted order, which decides which of two duplicates wins.
func Files(paths []string) (files, names []string, err error) {
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, nil, err
		}
		if !st.IsDir() {
			files, names = append(files, p), append(names, filepath.Base(p))
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.EqualFold(filepath.Ext(path), ".json") {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
		sort.Strings(found)
		for _, f := range found {
			rel, _ := filepath.Rel(p, f)
			files, names = append(files, f), append(names, filepath.ToSlash(rel))
		}
	}
	return files, names, nil
}

// Import reads every curriculum file under paths into the catalogue, one
// transaction per file: idempotent (an unchanged file changes nothing) and
// versioned (a changed file replaces its template's tree, version + 1).
// A file that fails is reported and the others go on; the error is for what
// stops the whole run (a missing path, a dead database, ctx done).
func Import(ctx context.Context, db *gorm.DB, paths []string) (*Report, error) {
	files, names, err := Files(paths)
	if err != nil {
		return nil, err
	}
	r := &Report{Files: []FileResult{}}
	seen := map[string]string{} // subject|grade → the file that had it first
	for i, f := range files {
		if err := ctx.Err(); err != nil {
			return r, err
		}
		data, err := os.ReadFile(f)
		if err != nil {
			r.add(FileResult{File: names[i], Status: StatusFailed, Message: err.Error()})
			continue
		}
		fr, err := importOne(db.WithContext(ctx), data, names[i], nil, seen)
		r.add(fr)
		// A file that isn't a curriculum, or lost a race, is reported and
		// the run goes on; anything else (the database) stops it.
		if err != nil && !errors.Is(err, models.ErrInvalid) && !errors.Is(err, models.ErrConflict) {
			return r, fmt.Errorf("%s: %w", names[i], err)
		}
	}
	return r, nil
}

func (r *Report) add(f FileResult) {
	r.Files = append(r.Files, f)
	switch f.Status {
	case string(models.ImportCreated):
		r.Created++
	case string(models.ImportUpdated):
		r.Updated++
	case string(models.ImportUnchanged):
		r.Unchanged++
	case StatusDuplicate:
		r.Duplicates++
	default:
		r.Failed++
	}
}

// ImportData imports one file's bytes as name onto owner's shelf (nil: the
// catalogue): the admin's and the teachers' uploads. A file that isn't a
// curriculum is a models.ValidationError on "file".
func ImportData(db *gorm.DB, data []byte, name string, owner *uint64) (FileResult, error) {
	return importOne(db, data, name, owner, nil)
}

func importOne(db *gorm.DB, data []byte, name string, owner *uint64, seen map[string]string) (FileResult, error) {
	fr := FileResult{File: name, Status: StatusFailed}
	t, err := Parse(data)
	if err != nil {
		fr.Message = err.Error()
		return fr, models.Invalid("file", err.Error())
	}
	fr.Subject, fr.Grade = t.Subject, t.Grade
	fr.Strands, fr.Substrands, fr.Lessons = t.Totals()
	if seen != nil {
		key := strings.ToLower(t.Subject) + "|" + t.Grade
		if first, ok := seen[key]; ok {
			fr.Status, fr.Message = StatusDuplicate, "same subject and grade as "+first+", which was imported first"
			return fr, nil
		}
		seen[key] = name
	}
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	t.Source, t.SourceHash, t.OwnerID = &name, &hash, owner
	res, err := models.ImportTemplate(db, t)
	if err != nil {
		fr.Message = err.Error()
		return fr, err
	}
	fr.Status, fr.TemplateID, fr.Version = string(res.Status), res.TemplateID, res.Version
	return fr, nil
}
