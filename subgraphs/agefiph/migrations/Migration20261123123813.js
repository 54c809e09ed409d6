'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

class Migration20261123123813 extends Migration {

  name = 'Migration20261123123813';

  async up() {
    this.addSql(`create table "aid_request" ("id" varchar(255) not null, "aid_code" varchar(255) not null, "catalogue_version" varchar(255) not null, "person_id" varchar(255) null, "employer_siret" varchar(255) null, "departement" varchar(255) not null, "requester_organisation" varchar(255) not null, "requester_subject" varchar(255) not null, "amount_requested_cents" int not null, "amount_granted_cents" int null, "extra_cost_cents" int null, "aeth_rate" varchar(255) null, "work_time_percent" int null, "support_type" varchar(255) null, "status" varchar(255) not null, "requested_on" date not null, "decided_on" date null, "note" text null, primary key ("id"));`);
    this.addSql(`create index "aid_request_aid_code_index" on "aid_request" ("aid_code");`);
    this.addSql(`create index "aid_request_person_id_index" on "aid_request" ("person_id");`);
    this.addSql(`create index "aid_request_employer_siret_index" on "aid_request" ("employer_siret");`);
    this.addSql(`create index "aid_request_departement_index" on "aid_request" ("departement");`);
    this.addSql(`create index "aid_request_status_index" on "aid_request" ("status");`);
    this.addSql(`create index "aid_request_departement_requested_on_index" on "aid_request" ("departement", "requested_on");`);

    this.addSql(`create table "known_person" ("id" varchar(255) not null, "departement" varchar(255) not null, primary key ("id"));`);
    this.addSql(`create index "known_person_departement_index" on "known_person" ("departement");`);

    this.addSql(`create table "audit_entry" ("id" varchar(255) not null, "at" timestamptz not null, "subject" varchar(255) not null, "organisation" varchar(255) not null, "role" varchar(255) not null, "operation" varchar(255) null, "action" varchar(255) not null, "person_id" varchar(255) not null, "fields" text not null, primary key ("id"));`);
    this.addSql(`create index "audit_entry_person_id_index" on "audit_entry" ("person_id");`);

    this.addSql(`create table "idempotency_record" ("key" varchar(255) not null, "request_hash" varchar(255) not null, "result_id" varchar(255) not null, "created_at" timestamptz not null, primary key ("key"));`);

    this.addSql(`create table "seed_state" ("id" serial primary key, "seed" varchar(255) not null, "scale" int not null, "seeded_at" timestamptz not null);`);
  }

  async down() {
    this.addSql(`drop table if exists "aid_request" cascade;`);
    this.addSql(`drop table if exists "known_person" cascade;`);
    this.addSql(`drop table if exists "audit_entry" cascade;`);
    this.addSql(`drop table if exists "idempotency_record" cascade;`);
    this.addSql(`drop table if exists "seed_state" cascade;`);
  }

}
exports.Migration20261123123813 = Migration20261123123813;
