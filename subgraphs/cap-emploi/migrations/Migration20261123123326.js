'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

class Migration20261123123326 extends Migration {

  name = 'Migration20261123123326';

  async up() {
    this.addSql(`create table "audit_entry" ("id" varchar(255) not null, "at" timestamptz not null, "subject" varchar(255) not null, "organisation" varchar(255) not null, "role" varchar(255) not null, "operation" varchar(255) null, "action" varchar(255) not null, "person_id" varchar(255) not null, "fields" text not null, primary key ("id"));`);
    this.addSql(`create index "audit_entry_person_id_index" on "audit_entry" ("person_id");`);

    this.addSql(`create table "accompaniment" ("id" varchar(255) not null, "person_id" varchar(255) not null, "organisation_id" varchar(255) not null, "counsellor_id" varchar(255) not null, "departement" varchar(255) not null, "kind" varchar(255) not null, "status" varchar(255) not null, "outcome" varchar(255) null, "opened_on" date not null, "closed_on" date null, "employer_siret" varchar(255) null, "medical_restrictions" text null, "follows_accompaniment_id" varchar(255) null, "revision" int not null, primary key ("id"));`);
    this.addSql(`create index "accompaniment_person_id_index" on "accompaniment" ("person_id");`);
    this.addSql(`create index "accompaniment_organisation_id_index" on "accompaniment" ("organisation_id");`);
    this.addSql(`create index "accompaniment_counsellor_id_index" on "accompaniment" ("counsellor_id");`);
    this.addSql(`create index "accompaniment_departement_index" on "accompaniment" ("departement");`);
    this.addSql(`create index "accompaniment_employer_siret_index" on "accompaniment" ("employer_siret");`);
    this.addSql(`create index "accompaniment_follows_accompaniment_id_index" on "accompaniment" ("follows_accompaniment_id");`);

    this.addSql(`create table "organisation_departement" ("id" varchar(255) not null, "organisation_id" varchar(255) not null, "departement" varchar(255) not null, primary key ("id"));`);
    this.addSql(`create index "organisation_departement_organisation_id_index" on "organisation_departement" ("organisation_id");`);
    this.addSql(`create index "organisation_departement_departement_index" on "organisation_departement" ("departement");`);

    this.addSql(`create table "employer_service" ("id" varchar(255) not null, "employer_siret" varchar(255) not null, "organisation_id" varchar(255) not null, "departement" varchar(255) not null, "kind" varchar(255) not null, "delivered_on" date not null, "summary" text not null, primary key ("id"));`);
    this.addSql(`create index "employer_service_employer_siret_index" on "employer_service" ("employer_siret");`);
    this.addSql(`create index "employer_service_departement_index" on "employer_service" ("departement");`);

    this.addSql(`create table "organisation" ("id" varchar(255) not null, "name" varchar(255) not null, "seat_departement" varchar(255) not null, "region_name" varchar(255) not null, "counsellor_count" int not null, primary key ("id"));`);
    this.addSql(`create index "organisation_seat_departement_index" on "organisation" ("seat_departement");`);

    this.addSql(`create table "site" ("id" varchar(255) not null, "organisation_id" varchar(255) not null, "departement" varchar(255) not null, "name" varchar(255) not null, "kind" varchar(255) not null, "france_travail_agency_code" varchar(255) null, primary key ("id"));`);
    this.addSql(`create index "site_organisation_id_index" on "site" ("organisation_id");`);
    this.addSql(`create index "site_departement_index" on "site" ("departement");`);

    this.addSql(`create table "accompaniment_step" ("id" varchar(255) not null, "accompaniment_id" varchar(255) not null, "sequence" int not null, "person_id" varchar(255) not null, "departement" varchar(255) not null, "kind" varchar(255) not null, "occurred_on" date not null, "note" text null, "recorded_by" varchar(255) null, primary key ("id"));`);
    this.addSql(`create index "accompaniment_step_accompaniment_id_index" on "accompaniment_step" ("accompaniment_id");`);
    this.addSql(`create index "accompaniment_step_person_id_index" on "accompaniment_step" ("person_id");`);
    this.addSql(`create index "accompaniment_step_departement_index" on "accompaniment_step" ("departement");`);

    this.addSql(`create table "idempotency_record" ("key" varchar(255) not null, "request_hash" varchar(255) not null, "result_id" varchar(255) not null, "created_at" timestamptz not null, primary key ("key"));`);

    this.addSql(`create table "seed_state" ("id" serial primary key, "seed" varchar(255) not null, "scale" int not null, "seeded_at" timestamptz not null);`);
  }

  async down() {
    this.addSql(`drop table if exists "audit_entry" cascade;`);
    this.addSql(`drop table if exists "accompaniment" cascade;`);
    this.addSql(`drop table if exists "organisation_departement" cascade;`);
    this.addSql(`drop table if exists "employer_service" cascade;`);
    this.addSql(`drop table if exists "organisation" cascade;`);
    this.addSql(`drop table if exists "site" cascade;`);
    this.addSql(`drop table if exists "accompaniment_step" cascade;`);
    this.addSql(`drop table if exists "idempotency_record" cascade;`);
    this.addSql(`drop table if exists "seed_state" cascade;`);
  }

}
exports.Migration20261123123326 = Migration20261123123326;
