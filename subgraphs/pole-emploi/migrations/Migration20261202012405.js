'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

class Migration20261202012405 extends Migration {

  name = 'Migration20261202012405';

  async up() {
    this.addSql(`create table "person_directory" ("person_id" varchar(255) not null, "departement" varchar(255) not null, primary key ("person_id"));`);
    this.addSql(`create index "person_directory_departement_index" on "person_directory" ("departement");`);
    // France Travail is where the residence is recorded: its directory starts from its job seekers.
    this.addSql(`insert into "person_directory" ("person_id", "departement") select "id", "departement" from "job_seeker";`);
  }

  async down() {
    this.addSql(`drop table if exists "person_directory" cascade;`);
  }

}
exports.Migration20261202012405 = Migration20261202012405;
