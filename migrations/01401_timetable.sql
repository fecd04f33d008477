-- +goose Up
-- A schedule is a day's bell times for one education level, owned either by
-- a school (made by its admin; every teacher of the school reads it) or by
-- one teacher. scope is 'school:<id>' or 'user:<id>', so one scope has at
-- most one schedule per education level: saving again updates it, never
-- duplicates it. Times are wall-clock "HH:MM" in APP_TIMEZONE.
CREATE TABLE school_schedules (
    id                          BIGINT UNSIGNED  NOT NULL AUTO_INCREMENT PRIMARY KEY,
    scope                       VARCHAR(40)      CHARACTER SET ascii NOT NULL,
    user_id                     BIGINT UNSIGNED  NOT NULL,
    school_id                   BIGINT UNSIGNED  NULL,
    schedule_name               VARCHAR(255)     NOT NULL,
    education_level             VARCHAR(50)      NOT NULL DEFAULT '',
    school_start_time           CHAR(5)          CHARACTER SET ascii NOT NULL,
    school_end_time             CHAR(5)          CHARACTER SET ascii NOT NULL,
    single_lesson_duration      SMALLINT UNSIGNED NOT NULL,
    double_lesson_duration      SMALLINT UNSIGNED NOT NULL,
    first_break_duration        SMALLINT UNSIGNED NOT NULL,
    second_break_duration       SMALLINT UNSIGNED NOT NULL,
    lunch_break_duration        SMALLINT UNSIGNED NOT NULL,
    lessons_before_first_break  TINYINT UNSIGNED NOT NULL,
    lessons_before_second_break TINYINT UNSIGNED NOT NULL,
    lessons_before_lunch        TINYINT UNSIGNED NOT NULL,
    lessons_after_lunch         TINYINT UNSIGNED NOT NULL,
    is_active                   BOOLEAN          NOT NULL DEFAULT TRUE,
    created_at                  DATETIME(6)      NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at                  DATETIME(6)      NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_school_schedules_scope_level (scope, education_level),
    KEY idx_school_schedules_user (user_id),
    KEY idx_school_schedules_school (school_id),
    CONSTRAINT fk_school_schedules_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_school_schedules_school FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A schedule's slots, regenerated in place when it is saved: slot_key ('L3'
-- for lesson 3, 'B1', 'B2', 'LUNCH') keeps a lesson's slot id (and so the
-- timetable entries in it) when its times move.
CREATE TABLE time_slots (
    id             BIGINT UNSIGNED  NOT NULL AUTO_INCREMENT PRIMARY KEY,
    schedule_id    BIGINT UNSIGNED  NOT NULL,
    slot_key       VARCHAR(10)      CHARACTER SET ascii NOT NULL,
    slot_number    TINYINT UNSIGNED NOT NULL,
    start_time     CHAR(5)          CHARACTER SET ascii NOT NULL,
    end_time       CHAR(5)          CHARACTER SET ascii NOT NULL,
    slot_type      ENUM('lesson','break','lunch') NOT NULL,
    label          VARCHAR(50)      NOT NULL,
    sequence_order TINYINT UNSIGNED NOT NULL,
    UNIQUE KEY uq_time_slots_schedule_key (schedule_id, slot_key),
    KEY idx_time_slots_schedule_seq (schedule_id, sequence_order),
    CONSTRAINT fk_time_slots_schedule FOREIGN KEY (schedule_id) REFERENCES school_schedules (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One teacher's lesson in one slot on one day (1 = Monday … 7 = Sunday).
-- The unique key is what makes a second lesson in the same slot a 409.
CREATE TABLE timetable_entries (
    id               BIGINT UNSIGNED  NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id          BIGINT UNSIGNED  NOT NULL,
    schedule_id      BIGINT UNSIGNED  NOT NULL,
    time_slot_id     BIGINT UNSIGNED  NOT NULL,
    subject_id       BIGINT UNSIGNED  NOT NULL,
    day_of_week      TINYINT UNSIGNED NOT NULL,
    strand_id        BIGINT UNSIGNED  NULL,
    substrand_id     BIGINT UNSIGNED  NULL,
    lesson_id        BIGINT UNSIGNED  NULL,
    room_number      VARCHAR(50)      NULL,
    grade_section    VARCHAR(100)     NULL,
    notes            TEXT             NULL,
    is_double_lesson BOOLEAN          NOT NULL DEFAULT FALSE,
    created_at       DATETIME(6)      NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at       DATETIME(6)      NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_timetable_entries_user_day_slot (user_id, day_of_week, time_slot_id),
    KEY idx_timetable_entries_slot (time_slot_id),
    KEY idx_timetable_entries_schedule (schedule_id),
    KEY idx_timetable_entries_subject (subject_id),
    CONSTRAINT fk_timetable_entries_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_timetable_entries_schedule FOREIGN KEY (schedule_id) REFERENCES school_schedules (id) ON DELETE CASCADE,
    CONSTRAINT fk_timetable_entries_slot FOREIGN KEY (time_slot_id) REFERENCES time_slots (id) ON DELETE CASCADE,
    CONSTRAINT fk_timetable_entries_subject FOREIGN KEY (subject_id) REFERENCES subjects (id) ON DELETE CASCADE,
    CONSTRAINT fk_timetable_entries_strand FOREIGN KEY (strand_id) REFERENCES strands (id) ON DELETE SET NULL,
    CONSTRAINT fk_timetable_entries_substrand FOREIGN KEY (substrand_id) REFERENCES sub_strands (id) ON DELETE SET NULL,
    CONSTRAINT fk_timetable_entries_lesson FOREIGN KEY (lesson_id) REFERENCES lessons (id) ON DELETE SET NULL,
    CONSTRAINT ck_timetable_entries_day CHECK (day_of_week BETWEEN 1 AND 7)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE timetable_entries;
DROP TABLE time_slots;
DROP TABLE school_schedules;
