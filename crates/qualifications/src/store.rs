//! The qualification system's tables.

use myna_store::{Migration, Schema};

pub const SCHEMA: Schema = Schema {
    role: "qualifications",
    migrations: &[Migration {
        version: 1,
        name: "passes, applications, registrations, credentials",
        steps: &[
            // What the examining bodies recorded.
            "CREATE TABLE exam_passes (
            qualification TEXT NOT NULL,
            exam_number TEXT NOT NULL,
            name TEXT NOT NULL,
            birth TEXT NOT NULL,
            passed_on TEXT NOT NULL,
            examiner TEXT NOT NULL,
            PRIMARY KEY (qualification, exam_number)
        )",
            // Applications with the applicant as J-LIS named them (`code`: this system's code).
            "CREATE TABLE applications (
            id {ID},
            qualification TEXT NOT NULL,
            exam_number TEXT NOT NULL,
            code TEXT NOT NULL,
            person_number TEXT NOT NULL,
            name TEXT NOT NULL,
            kana TEXT NOT NULL,
            birth TEXT NOT NULL,
            sex TEXT,
            address TEXT NOT NULL,
            received_at BIGINT NOT NULL,
            status TEXT NOT NULL
        )",
            // `status`: valid, suspended, ended; `status_idx`: its place in the status list;
            // `person_number` (the individual number) and the 4 items kept current from J-LIS (`sync`).
            "CREATE TABLE registrations (
            number BIGINT PRIMARY KEY,
            qualification TEXT NOT NULL,
            code TEXT NOT NULL,
            person_number TEXT NOT NULL,
            name TEXT NOT NULL,
            kana TEXT NOT NULL,
            birth TEXT NOT NULL,
            sex TEXT,
            address TEXT NOT NULL,
            exam_number TEXT NOT NULL,
            registered_on TEXT NOT NULL,
            registered_by TEXT NOT NULL,
            status TEXT NOT NULL,
            status_idx BIGINT NOT NULL UNIQUE,
            reason TEXT,
            changed_at BIGINT
        )",
            "CREATE UNIQUE INDEX registrations_person ON registrations (qualification, code)",
            // What was issued to whom (the holder's key), for the holder's own record.
            "CREATE TABLE credentials (
            registration BIGINT NOT NULL,
            issued_at BIGINT NOT NULL,
            holder TEXT NOT NULL
        )",
        ],
    }],
};
