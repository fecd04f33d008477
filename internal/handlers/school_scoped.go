package handlers

import (
	"net/http"

	"gorm.io/gorm"
)

// scopedRequest is the body of a write to a school-scoped table: it applies
// itself to a row (a new one when create) and may name the school (a super
// admin's school_id).
type scopedRequest[T any] interface {
	apply(row *T, create bool) error
	school() *uint64
}

// scopedRows is one school-scoped table an admin edits (calendar
// activities, departments): a school admin their own school's rows only
// (another school's id: 404), a super admin any school's (a list or a new
// row names the school: adminSchool).
type scopedRows[T, J any, R scopedRequest[T]] struct {
	list func(db *gorm.DB, school uint64) ([]T, error)
	// byID reads one row of school (nil: any school).
	byID func(db *gorm.DB, id uint64, school *uint64) (*T, error)
	// start makes a new row of school, or refuses it.
	start   func(tx *gorm.DB, r *http.Request, school uint64) (*T, error)
	save    func(db *gorm.DB, row *T) error
	del     func(db *gorm.DB, id uint64, school *uint64) error
	id      func(row *T) uint64
	toJSON  func(row *T) J
	deleted string // the delete's message
}

// handleList answers the school's rows.
func (rows scopedRows[T, J, R]) handleList(t *termsAPI) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		school, err := readSchool(r)
		var list []T
		if err == nil {
			list, err = rows.list(reqDB(r), school)
		}
		if err != nil {
			t.fail(w, r, err)
			return
		}
		out := make([]J, len(list))
		for i := range list {
			out[i] = rows.toJSON(&list[i])
		}
		writeJSON(w, http.StatusOK, out)
	}
}

// handleSave creates a row (201; withID false) or updates the row {id}
// (200), in one transaction, and answers it as stored.
func (rows scopedRows[T, J, R]) handleSave(t *termsAPI, withID bool, newRequest func() R) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var id uint64
		var err error
		if withID {
			if id, err = pathID(r); err != nil {
				t.fail(w, r, err)
				return
			}
		}
		req := newRequest()
		if err := t.dec.decode(w, r, req); err != nil {
			t.fail(w, r, err)
			return
		}
		var row *T
		err = reqDB(r).Transaction(func(tx *gorm.DB) error {
			var err error
			if withID {
				row, err = rows.byID(tx, id, adminScope(r))
			} else {
				var school uint64
				if school, err = adminSchool(r, req.school()); err == nil {
					row, err = rows.start(tx, r, school)
				}
			}
			if err == nil {
				err = req.apply(row, !withID)
			}
			if err == nil {
				err = rows.save(tx, row)
			}
			if err == nil {
				row, err = rows.byID(tx, rows.id(row), nil)
			}
			return err
		})
		if err != nil {
			t.fail(w, r, err)
			return
		}
		status := http.StatusOK
		if !withID {
			status = http.StatusCreated
		}
		writeJSON(w, status, rows.toJSON(row))
	}
}

// handleDelete deletes the row {id} of the admin's school (any, for a super admin).
func (rows scopedRows[T, J, R]) handleDelete(t *termsAPI) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err == nil {
			err = rows.del(reqDB(r), id, adminScope(r))
		}
		if err != nil {
			t.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"message": rows.deleted})
	}
}
