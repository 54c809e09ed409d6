'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

class Migration20261123122502 extends Migration {

  name = 'Migration20261123122502';

  async up() {
    this.addSql(`create table "agency" ("code" varchar(255) not null, "name" varchar(255) not null, "departement" varchar(255) not null, "single_accompaniment_place" boolean not null, primary key ("code"));`);
    this.addSql(`create index "agency_departement_index" on "agency" ("departement");`);

    this.addSql(`create table "audit_entry" ("id" varchar(255) not null, "at" timestamptz not null, "subject" varchar(255) not null, "organisation" varchar(255) not null, "role" varchar(255) not null, "operation" varchar(255) null, "action" varchar(255) not null, "person_id" varchar(255) not null, "fields" text not null, primary key ("id"));`);
    this.addSql(`create index "audit_entry_person_id_index" on "audit_entry" ("person_id");`);

    this.addSql(`create table "establishment" ("siret" varchar(255) not null, "siren" varchar(255) not null, "name" varchar(255) not null, "name_key" varchar(255) not null, "naf_code" varchar(255) not null, "naf_version" varchar(255) not null, "sector" varchar(255) not null, "departement" varchar(255) not null, "headcount" int not null, primary key ("siret"));`);
    this.addSql(`create index "establishment_siren_index" on "establishment" ("siren");`);
    this.addSql(`create index "establishment_departement_index" on "establishment" ("departement");`);

    this.addSql(`create table "idempotency_record" ("key" varchar(255) not null, "request_hash" varchar(255) not null, "result_id" varchar(255) not null, "created_at" timestamptz not null, primary key ("key"));`);

    this.addSql(`create table "job_offer" ("id" varchar(255) not null, "employer_siret" varchar(255) not null, "title" varchar(255) not null, "rome_code" varchar(255) not null, "rome_version" varchar(255) not null, "contract_type" varchar(255) not null, "departement" varchar(255) not null, "posted_on" date not null, primary key ("id"));`);
    this.addSql(`create index "job_offer_employer_siret_index" on "job_offer" ("employer_siret");`);
    this.addSql(`create index "job_offer_departement_index" on "job_offer" ("departement");`);

    this.addSql(`create table "job_seeker" ("id" varchar(255) not null, "job_seeker_id" varchar(255) not null, "first_name" varchar(255) not null, "last_name" varchar(255) not null, "last_name_key" varchar(255) not null, "first_name_key" varchar(255) not null, "sex" varchar(255) not null, "birth_date" date not null, "departement" varchar(255) not null, "registered_on" date not null, "category" varchar(255) not null, "agency_code" varchar(255) not null, "counsellor_id" varchar(255) not null, "boeth_category" varchar(255) not null, "rqth_decided_on" date null, "rqth_valid_until" date null, "disability_nature" varchar(255) not null, primary key ("id"));`);
    this.addSql(`alter table "job_seeker" add constraint "job_seeker_job_seeker_id_unique" unique ("job_seeker_id");`);
    this.addSql(`create index "job_seeker_last_name_key_index" on "job_seeker" ("last_name_key");`);
    this.addSql(`create index "job_seeker_departement_index" on "job_seeker" ("departement");`);
    this.addSql(`create index "job_seeker_counsellor_id_index" on "job_seeker" ("counsellor_id");`);

    this.addSql(`create table "orientation" ("id" varchar(255) not null, "person_id" varchar(255) not null, "departement" varchar(255) not null, "oriented_to" varchar(255) not null, "track" varchar(255) not null, "decided_on" date not null, "joint_diagnostic_on" date null, "disability_impact" varchar(255) null, "recorded_by" varchar(255) not null, primary key ("id"));`);
    this.addSql(`create index "orientation_person_id_index" on "orientation" ("person_id");`);

    this.addSql(`create table "return_to_employment" ("id" varchar(255) not null, "person_id" varchar(255) not null, "departement" varchar(255) not null, "started_on" date not null, "contract_type" varchar(255) not null, "rome_code" varchar(255) not null, "employer_siret" varchar(255) null, primary key ("id"));`);
    this.addSql(`create index "return_to_employment_person_id_index" on "return_to_employment" ("person_id");`);

    this.addSql(`create table "seed_state" ("id" serial primary key, "seed" varchar(255) not null, "scale" int not null, "seeded_at" timestamptz not null);`);

    this.addSql(`create table "training" ("id" varchar(255) not null, "person_id" varchar(255) not null, "departement" varchar(255) not null, "title" varchar(255) not null, "provider" varchar(255) not null, "rome_code" varchar(255) not null, "rome_version" varchar(255) not null, "starts_on" date not null, "ends_on" date not null, "financing_id" varchar(255) not null, "financer" varchar(255) not null, "financing_label" varchar(255) not null, "status" varchar(255) not null, "amount_requested_cents" int not null, "amount_granted_cents" int null, "requested_on" date not null, "decided_on" date null, primary key ("id"));`);
    this.addSql(`create index "training_person_id_index" on "training" ("person_id");`);
    this.addSql(`alter table "training" add constraint "training_financing_id_unique" unique ("financing_id");`);
  }

  async down() {
    this.addSql(`drop table if exists "agency" cascade;`);
    this.addSql(`drop table if exists "audit_entry" cascade;`);
    this.addSql(`drop table if exists "establishment" cascade;`);
    this.addSql(`drop table if exists "idempotency_record" cascade;`);
    this.addSql(`drop table if exists "job_offer" cascade;`);
    this.addSql(`drop table if exists "job_seeker" cascade;`);
    this.addSql(`drop table if exists "orientation" cascade;`);
    this.addSql(`drop table if exists "return_to_employment" cascade;`);
    this.addSql(`drop table if exists "seed_state" cascade;`);
    this.addSql(`drop table if exists "training" cascade;`);
  }

}
exports.Migration20261123122502 = Migration20261123122502;
