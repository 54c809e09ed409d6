'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

class Migration20261123123703 extends Migration {

  name = 'Migration20261123123703';

  async up() {
    this.addSql(`create table "audit_entry" ("id" varchar(255) not null, "at" timestamptz not null, "subject" varchar(255) not null, "organisation" varchar(255) not null, "role" varchar(255) not null, "operation" varchar(255) null, "action" varchar(255) not null, "person_id" varchar(255) not null, "fields" text not null, primary key ("id"));`);
    this.addSql(`create index "audit_entry_person_id_index" on "audit_entry" ("person_id");`);

    this.addSql(`create table "agent" ("person_id" varchar(255) not null, "siret" varchar(255) not null, "departement" varchar(255) not null, primary key ("person_id"));`);
    this.addSql(`create index "agent_siret_index" on "agent" ("siret");`);
    this.addSql(`create index "agent_departement_index" on "agent" ("departement");`);

    this.addSql(`create table "aid_request" ("id" varchar(255) not null, "siret" varchar(255) not null, "departement" varchar(255) not null, "person_id" varchar(255) null, "aid_code" varchar(255) not null, "hours" int null, "amount_requested_cents" int not null, "amount_granted_cents" int null, "status" varchar(255) not null, "requested_on" date not null, "decided_on" date null, "decision_note" text null, primary key ("id"));`);
    this.addSql(`create index "aid_request_siret_index" on "aid_request" ("siret");`);
    this.addSql(`create index "aid_request_departement_index" on "aid_request" ("departement");`);
    this.addSql(`create index "aid_request_person_id_index" on "aid_request" ("person_id");`);
    this.addSql(`create index "aid_request_status_index" on "aid_request" ("status");`);

    this.addSql(`create table "declaration" ("id" varchar(255) not null, "siret" varchar(255) not null, "departement" varchar(255) not null, "year" int not null, "fte_headcount" int not null, "beneficiaries" int not null, "rqth" int not null, "work_accident_pension" int not null, "invalidity_pension" int not null, "war_disabled" int not null, "volunteer_firefighter" int not null, "mobility_inclusion_card" int not null, "aah" int not null, "reclassified_agent" int not null, "temporary_invalidity_allowance" int not null, "rate_basis_points" int not null, "missing_beneficiaries" int not null, "hourly_smic_cents" int not null, "unit_amount_cents" int not null, "deductible_expenses_cents" bigint not null, "contribution_cents" bigint not null, "submitted_on" date not null, primary key ("id"));`);
    this.addSql(`create index "declaration_siret_index" on "declaration" ("siret");`);
    this.addSql(`create index "declaration_departement_index" on "declaration" ("departement");`);
    this.addSql(`alter table "declaration" add constraint "declaration_siret_year_unique" unique ("siret", "year");`);

    this.addSql(`create table "employer_convention" ("id" varchar(255) not null, "siret" varchar(255) not null, "departement" varchar(255) not null, "fte_headcount" int not null, "signed_on" date not null, "starts_on" date not null, "ends_on" date not null, "amount_committed_cents" bigint not null, "committee_level" varchar(255) not null, "committee_region" varchar(255) null, primary key ("id"));`);
    this.addSql(`create index "employer_convention_siret_index" on "employer_convention" ("siret");`);
    this.addSql(`create index "employer_convention_departement_index" on "employer_convention" ("departement");`);

    this.addSql(`create table "public_employer" ("siret" varchar(255) not null, "name" varchar(255) not null, "public_service" varchar(255) not null, "fte_headcount" int not null, "departement" varchar(255) not null, "region_code" varchar(255) not null, primary key ("siret"));`);
    this.addSql(`create index "public_employer_public_service_index" on "public_employer" ("public_service");`);
    this.addSql(`create index "public_employer_departement_index" on "public_employer" ("departement");`);

    this.addSql(`create table "idempotency_record" ("key" varchar(255) not null, "request_hash" varchar(255) not null, "result_id" varchar(255) not null, "created_at" timestamptz not null, primary key ("key"));`);

    this.addSql(`create table "seed_state" ("id" serial primary key, "seed" varchar(255) not null, "scale" int not null, "seeded_at" timestamptz not null);`);
  }

  async down() {
    this.addSql(`drop table if exists "audit_entry" cascade;`);
    this.addSql(`drop table if exists "agent" cascade;`);
    this.addSql(`drop table if exists "aid_request" cascade;`);
    this.addSql(`drop table if exists "declaration" cascade;`);
    this.addSql(`drop table if exists "employer_convention" cascade;`);
    this.addSql(`drop table if exists "public_employer" cascade;`);
    this.addSql(`drop table if exists "idempotency_record" cascade;`);
    this.addSql(`drop table if exists "seed_state" cascade;`);
  }

}
exports.Migration20261123123703 = Migration20261123123703;
