package handlers

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/teachtrack/api/internal/models"
)

const (
	defaultPageSize = 20
	maxPageSize     = 100
)

var (
	errNoSuchUser   = models.Sentence(models.ErrNotFound, "There is no such user.")
	errNotSuperUser = models.Sentence(models.ErrForbidden, "Only a super admin can do this to a super admin.")
	errTouchAdmin   = models.Sentence(models.ErrForbidden, "Only a super admin can change another administrator's account.")
	errGrantAdmin   = models.Sentence(models.ErrForbidden, "Only a super admin can grant or remove administrator roles.")
)

// userFilter reads ?search=&role= (role "all" or empty means any role).
func userFilter(r *http.Request) (models.UserFilter, error) {
	q := r.URL.Query()
	f := models.UserFilter{Search: strings.TrimSpace(q.Get("search"))}
	if !utf8.ValidString(f.Search) {
		// The database would refuse the string; say why instead.
		return f, models.Invalid("search", "must be valid UTF-8 text")
	}
	if role := strings.ToUpper(strings.TrimSpace(q.Get("role"))); role != "" && role != "ALL" {
		switch models.Role(role) {
		case models.RoleTeacher, models.RoleHOD, models.RoleSchoolAdmin, models.RoleSuperAdmin:
			f.Role = models.Role(role)
		case "ADMIN":
			// The users page's "Admins": anyone who administers users.
			f.Roles = []models.Role{models.RoleSchoolAdmin, models.RoleSuperAdmin}
		default:
			return f, models.Invalid("role", "must be one of TEACHER, HOD, SCHOOL_ADMIN, SUPER_ADMIN, ADMIN")
		}
	}
	return f, nil
}

// queryInt reads a positive whole-number query parameter, def when absent.
func queryInt(r *http.Request, name string, def int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, models.Invalid(name, "must be a whole number of at least 1")
	}
	return n, nil
}

// scope limits a SCHOOL_ADMIN to their own school's users.
func scope(p *Principal, f *models.UserFilter) error {
	if p.Role == models.RoleSuperAdmin {
		return nil
	}
	if p.SchoolID == nil {
		return models.Sentence(models.ErrForbidden, "Your account is not linked to a school, so there are no users for you to manage.")
	}
	f.SchoolID = p.SchoolID
	return nil
}

func (u *usersAPI) handleAdminUserList(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	f, err := userFilter(r)
	if err == nil {
		f.Page, err = queryInt(r, "page", 1)
	}
	if err == nil {
		f.Limit, err = queryInt(r, "limit", defaultPageSize)
	}
	if err == nil {
		err = scope(p, &f)
	}
	// The users page's date filters: days in the school's time zone, the
	// end day included.
	if err == nil {
		f.CreatedFrom, err = u.queryDate(r, "start_date", false)
	}
	if err == nil {
		f.CreatedBefore, err = u.queryDate(r, "end_date", true)
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	f.Limit = min(f.Limit, maxPageSize)
	users, total, err := models.ListUsers(reqDB(r), f)
	var list []adminUserJSON
	if err == nil {
		list, err = usersWithSubjects(reqDB(r), users)
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": list, "total": total, "page": f.Page, "page_size": f.Limit})
}

func (u *usersAPI) handleAdminUserExport(w http.ResponseWriter, r *http.Request) {
	f, err := userFilter(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	users, _, err := models.ListUsers(reqDB(r), f)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toUsersJSON(users))
}

// target loads the user named by {id} as the caller may see them: a
// SCHOOL_ADMIN sees only their school (others are "not found", so ids don't
// reveal who exists), and only a SUPER_ADMIN touches a SUPER_ADMIN.
func (u *usersAPI) target(r *http.Request, p *Principal) (*models.User, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	t, err := models.UserByID(reqDB(r), id)
	if err != nil {
		return nil, err
	}
	if p.Role != models.RoleSuperAdmin {
		if p.SchoolID == nil || t.SchoolID == nil || *p.SchoolID != *t.SchoolID {
			return nil, errNoSuchUser
		}
		if t.Role == models.RoleSuperAdmin {
			return nil, errNotSuperUser
		}
	}
	return t, nil
}

// modifiable is target, for a change: it also fails when p may not change the user.
func (u *usersAPI) modifiable(r *http.Request, p *Principal) (*models.User, error) {
	t, err := u.target(r, p)
	if err != nil {
		return nil, err
	}
	return t, canModify(p, t)
}

// canModify: a SCHOOL_ADMIN changes their own account and non-admins only.
func canModify(p *Principal, t *models.User) error {
	if p.Role == models.RoleSuperAdmin || t.ID == p.UserID || !t.Role.IsAdmin() {
		return nil
	}
	return errTouchAdmin
}

// checkRoleChange: nobody changes their own role (so nobody demotes
// themselves), and only a SUPER_ADMIN grants or removes an admin role.
func checkRoleChange(p *Principal, t *models.User, role models.Role) error {
	if role == t.Role {
		return nil
	}
	if t.ID == p.UserID {
		return models.Sentence(models.ErrForbidden, "You cannot change your own role.")
	}
	if p.Role != models.RoleSuperAdmin && (role.IsAdmin() || t.Role.IsAdmin()) {
		return errGrantAdmin
	}
	return nil
}

func (u *usersAPI) handleAdminUserGet(w http.ResponseWriter, r *http.Request) {
	t, err := u.target(r, principalFrom(r.Context()))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toUserJSON(t))
}

type adminCreateRequest struct {
	Email    string `json:"email" validate:"required,email,max=255"`
	Password string `json:"password" validate:"required,password"`
	FullName string `json:"full_name" validate:"required,max=255"`
	profileFields
	Role     *models.Role `json:"role" validate:"omitempty,oneof=TEACHER HOD SCHOOL_ADMIN SUPER_ADMIN"`
	SchoolID *uint64      `json:"school_id" validate:"omitempty,gt=0"`
}

// handleAdminUserCreate adds a verified user. Admin roles need a SUPER_ADMIN;
// a SCHOOL_ADMIN's users join the admin's school.
func (u *usersAPI) handleAdminUserCreate(w http.ResponseWriter, r *http.Request) {
	var req adminCreateRequest
	if err := u.dec.decode(w, r, &req); err != nil {
		u.fail(w, r, err)
		return
	}
	p := principalFrom(r.Context())
	role := models.RoleTeacher
	if req.Role != nil {
		role = *req.Role
	}
	schoolID := req.SchoolID
	if p.Role != models.RoleSuperAdmin {
		switch {
		case role.IsAdmin():
			u.fail(w, r, models.Sentence(models.ErrForbidden, "Only a super admin can create administrators."))
			return
		case p.SchoolID == nil:
			u.fail(w, r, models.Sentence(models.ErrForbidden, "Your account is not linked to a school, so you cannot add users."))
			return
		case schoolID != nil && *schoolID != *p.SchoolID:
			u.fail(w, r, models.Sentence(models.ErrForbidden, "You can only add users to your own school."))
			return
		}
		schoolID = p.SchoolID
	} else if schoolID != nil {
		if ok, err := models.SchoolExists(reqDB(r), *schoolID); err != nil || !ok {
			u.fail(w, r, orInvalid(err, "school_id", "is not an existing school"))
			return
		}
	}
	var seats []func(tx *gorm.DB, m *models.User) error
	if schoolID != nil && models.IsTeacherRole(role) {
		// A teacher takes one of the school's max_teachers places, as when
		// the school admin adds one from the school's page.
		seats = append(seats, func(tx *gorm.DB, _ *models.User) error { return models.CheckSeats(tx, *schoolID) })
	}
	user, err := u.insertUser(r, &models.User{Email: req.Email, FullName: req.FullName, Role: role, SchoolID: schoolID, EmailVerified: true},
		req.Password, req.profileFields, seats...)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toUserJSON(user))
}

// orInvalid is err when there is one, else a validation error for field.
func orInvalid(err error, field, message string) error {
	if err != nil {
		return err
	}
	return models.Invalid(field, message)
}

type adminUpdateRequest struct {
	Email         *string `json:"email" validate:"omitempty,email,max=255"`
	FullName      *string `json:"full_name" validate:"omitempty,min=1,max=255"`
	EmailVerified *bool   `json:"email_verified"`
	profileFields
	Role     *models.Role `json:"role" validate:"omitempty,oneof=TEACHER HOD SCHOOL_ADMIN SUPER_ADMIN"`
	SchoolID *uint64      `json:"school_id" validate:"omitempty,gt=0"`
	// Password, when present, replaces the user's password (the same rules
	// as at registration) and ends their sessions: all of them, or, when an
	// admin edits their own account, all but the one making the request.
	Password *string `json:"password" validate:"omitempty,password"`
}

func (u *usersAPI) handleAdminUserUpdate(w http.ResponseWriter, r *http.Request) {
	var req adminUpdateRequest
	if err := u.dec.decode(w, r, &req); err != nil {
		u.fail(w, r, err)
		return
	}
	p := principalFrom(r.Context())
	t, err := u.modifiable(r, p)
	if err == nil && req.Role != nil {
		err = checkRoleChange(p, t, *req.Role)
	}
	if err == nil && req.SchoolID != nil && p.Role != models.RoleSuperAdmin && (t.SchoolID == nil || *req.SchoolID != *t.SchoolID) {
		err = models.Sentence(models.ErrForbidden, "Only a super admin can move a user to another school.")
	}
	if err == nil && req.SchoolID != nil {
		var ok bool
		if ok, err = models.SchoolExists(reqDB(r), *req.SchoolID); err == nil && !ok {
			err = models.Invalid("school_id", "is not an existing school")
		}
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	changes := map[string]any{}
	req.profileFields.changes(changes)
	affects(r, t.ID) // a role or school change applies at once
	for col, v := range map[string]any{"email": req.Email, "full_name": req.FullName, "email_verified": req.EmailVerified, "role": req.Role, "school_id": req.SchoolID} {
		switch v := v.(type) {
		case *string:
			if v != nil {
				changes[col] = *v
			}
		case *bool:
			if v != nil {
				changes[col] = *v
			}
		case *models.Role:
			if v != nil {
				changes[col] = *v
			}
		case *uint64:
			if v != nil {
				changes[col] = *v
			}
		}
	}
	if req.Password == nil {
		u.update(w, r, t.ID, changes)
		return
	}
	hash, err := u.passwords.Hash(*req.Password)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	keep := uint64(0)
	if t.ID == p.UserID {
		keep = p.SessionID
	}
	err = reqDB(r).Transaction(func(tx *gorm.DB) error {
		if _, err := models.UpdateUser(tx, t.ID, changes); err != nil {
			return err
		}
		return models.SetPassword(tx, t.ID, hash, keep, time.Now().UTC())
	})
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.update(w, r, t.ID, nil)
}

// update applies changes to user id and answers with the user.
func (u *usersAPI) update(w http.ResponseWriter, r *http.Request, id uint64, changes map[string]any) {
	user, err := models.UpdateUser(reqDB(r), id, changes)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toUserJSON(user))
}

func (u *usersAPI) handleAdminUserDelete(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	t, err := u.target(r, p)
	if err == nil && t.ID == p.UserID {
		err = models.Sentence(models.ErrForbidden, "You cannot delete your own account.")
	}
	if err == nil {
		err = canModify(p, t)
	}
	if err == nil {
		affects(r, t.ID)
		err = models.DeleteUser(reqDB(r), t.ID)
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type roleRequest struct {
	Role *models.Role `json:"role" validate:"required_without=IsAdmin,omitempty,oneof=TEACHER HOD SCHOOL_ADMIN SUPER_ADMIN"`
	// IsAdmin is the frontend's legacy toggle: true means SCHOOL_ADMIN, false TEACHER.
	IsAdmin *bool `json:"is_admin"`
}

func (u *usersAPI) handleAdminUserRole(w http.ResponseWriter, r *http.Request) {
	var req roleRequest
	if err := u.dec.decode(w, r, &req); err != nil {
		u.fail(w, r, err)
		return
	}
	role := models.RoleTeacher
	switch {
	case req.Role != nil:
		role = *req.Role
	case *req.IsAdmin:
		role = models.RoleSchoolAdmin
	}
	p := principalFrom(r.Context())
	t, err := u.modifiable(r, p)
	if err == nil {
		err = checkRoleChange(p, t, role)
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	affects(r, t.ID)
	u.update(w, r, t.ID, map[string]any{"role": role})
}

type subscriptionRequest struct {
	SubscriptionType   string `json:"subscription_type" validate:"required,oneof=FREE INDIVIDUAL_BASIC INDIVIDUAL_PREMIUM SCHOOL_SPONSORED"`
	SubscriptionStatus string `json:"subscription_status" validate:"required,oneof=ACTIVE INACTIVE PAST_DUE CANCELLED"`
}

func (u *usersAPI) handleAdminUserSubscription(w http.ResponseWriter, r *http.Request) {
	var req subscriptionRequest
	if err := u.dec.decode(w, r, &req); err != nil {
		u.fail(w, r, err)
		return
	}
	t, err := u.target(r, principalFrom(r.Context()))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	affects(r, t.ID)
	// Recorded with who did it, and given a period (issue 19).
	user, err := models.AdminSetSubscription(reqDB(r), t.ID, principalFrom(r.Context()).UserID, req.SubscriptionType, req.SubscriptionStatus, u.planClock())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toUserJSON(user))
}

// handleAdminUserBan and handleAdminUserUnban: a ban ends every session of
// the user in the same transaction. Nobody bans themselves or a SUPER_ADMIN.
func (u *usersAPI) handleAdminUserBan(w http.ResponseWriter, r *http.Request) {
	u.setActive(w, r, false)
}

func (u *usersAPI) handleAdminUserUnban(w http.ResponseWriter, r *http.Request) {
	u.setActive(w, r, true)
}

func (u *usersAPI) setActive(w http.ResponseWriter, r *http.Request, active bool) {
	p := principalFrom(r.Context())
	t, err := u.target(r, p)
	switch {
	case err != nil:
	case t.ID == p.UserID:
		err = models.Sentence(models.ErrForbidden, "You cannot ban or unban your own account.")
	case t.Role == models.RoleSuperAdmin:
		err = models.Sentence(models.ErrForbidden, "A super admin cannot be banned.")
	default:
		affects(r, t.ID)
		err = models.SetActive(reqDB(r), t.ID, active, time.Now().UTC())
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.update(w, r, t.ID, nil)
}

func (u *usersAPI) handleAdminUserUnlink(w http.ResponseWriter, r *http.Request) {
	t, err := u.target(r, principalFrom(r.Context()))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	affects(r, t.ID)
	changes := map[string]any{"school_id": nil}
	if t.SchoolID != nil {
		changes["previous_school_id"] = *t.SchoolID // the school's previous teachers
	}
	u.update(w, r, t.ID, changes)
}

// handleAdminUserImpersonate signs the SUPER_ADMIN in as another user: the
// session cookie now names a session of the target, marked with who opened
// it, and lasting at most an hour.
func (u *usersAPI) handleAdminUserImpersonate(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	t, err := u.target(r, p)
	switch {
	case err != nil:
	case t.Role == models.RoleSuperAdmin:
		err = models.Sentence(models.ErrForbidden, "A super admin cannot be impersonated.")
	case !t.IsActive:
		err = models.Sentence(models.ErrForbidden, "This account is banned; unban it before signing in as it.")
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	// Warn level: an audit trail of who acted as whom must survive
	// LOG_LEVEL=warn; the impersonations table keeps it too.
	u.log.LogAttrs(r.Context(), slog.LevelWarn, "impersonation started",
		slog.Uint64("admin_id", p.UserID), slog.Uint64("target_id", t.ID), slog.String("request_id", RequestID(r.Context())))
	u.startSession(w, r, t, &impersonator{admin: p.User, sessionID: p.SessionID}, http.StatusOK)
}

type bulkDeleteRequest struct {
	UserIDs []uint64 `json:"user_ids" validate:"required,min=1,max=1000"`
}

type bulkBanRequest struct {
	UserIDs []uint64 `json:"user_ids" validate:"required,min=1,max=1000"`
	Action  string   `json:"action" validate:"required,oneof=ban unban"`
}

// bulkResult is what happened to one id of a bulk request.
type bulkResult struct {
	ID     uint64 `json:"id"`
	Status string `json:"status"` // deleted, banned, unbanned, not_found, skipped
	Detail string `json:"detail,omitempty"`
}

func (u *usersAPI) handleAdminUsersBulkDelete(w http.ResponseWriter, r *http.Request) {
	var req bulkDeleteRequest
	if err := u.dec.decode(w, r, &req); err != nil {
		u.fail(w, r, err)
		return
	}
	u.bulk(w, r, req.UserIDs, "deleted", func(tx *gorm.DB, id uint64) error { return models.DeleteUser(tx, id) })
}

func (u *usersAPI) handleAdminUsersBulkBan(w http.ResponseWriter, r *http.Request) {
	var req bulkBanRequest
	if err := u.dec.decode(w, r, &req); err != nil {
		u.fail(w, r, err)
		return
	}
	now, active := time.Now().UTC(), req.Action == "unban"
	u.bulk(w, r, req.UserIDs, req.Action+"ned", func(tx *gorm.DB, id uint64) error { return models.SetActive(tx, id, active, now) })
}

// bulk applies do to every id in one transaction, skipping the caller and
// SUPER_ADMINs, and answers with each id's result.
func (u *usersAPI) bulk(w http.ResponseWriter, r *http.Request, ids []uint64, done string, do func(*gorm.DB, uint64) error) {
	p := principalFrom(r.Context())
	results := make([]bulkResult, 0, len(ids))
	succeeded := 0
	err := reqDB(r).Transaction(func(tx *gorm.DB) error {
		var users []models.User
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Select("id", "role").Where("id IN ?", ids).Find(&users).Error; err != nil {
			return err
		}
		roles := make(map[uint64]models.Role, len(users))
		for _, x := range users {
			roles[x.ID] = x.Role
		}
		seen := map[uint64]bool{}
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			role, ok := roles[id]
			res := bulkResult{ID: id, Status: done}
			switch {
			case !ok:
				res.Status, res.Detail = "not_found", "There is no such user."
			case id == p.UserID:
				res.Status, res.Detail = "skipped", "This is your own account."
			case role == models.RoleSuperAdmin:
				res.Status, res.Detail = "skipped", "Super admins are never changed in bulk."
			default:
				affects(r, id)
				if err := do(tx, id); err != nil {
					return err
				}
				succeeded++
			}
			results = append(results, res)
		}
		return nil
	})
	if err != nil {
		u.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": results, "succeeded": succeeded})
}
