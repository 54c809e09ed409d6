'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

class Migration20261202012414 extends Migration {

  name = 'Migration20261202012414';

  async up() {
    this.addSql(`create table "person_directory" ("person_id" varchar(255) not null, "departement" varchar(255) not null, primary key ("person_id"));`);
    this.addSql(`create index "person_directory_departement_index" on "person_directory" ("departement");`);

    // Agefiph's known persons become the kit's person directory (same ids, same départements).
    this.addSql(`insert into "person_directory" ("person_id", "departement") select "id", "departement" from "known_person";`);
    this.addSql(`drop table if exists "known_person" cascade;`);
  }

  async down() {
    this.addSql(`create table "known_person" ("id" varchar(255) not null, "departement" varchar(255) not null, primary key ("id"));`);
    this.addSql(`create index "known_person_departement_index" on "known_person" ("departement");`);
    this.addSql(`insert into "known_person" ("id", "departement") select "person_id", "departement" from "person_directory";`);

    this.addSql(`drop table if exists "person_directory" cascade;`);
  }

}
exports.Migration20261202012414 = Migration20261202012414;
