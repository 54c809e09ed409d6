-- One database per subgraph, created once by PostgreSQL's image on its first start (mounted under
-- /docker-entrypoint-initdb.d/ by docker-compose.yml). Each subgraph owns its database and brings its
-- schema up to date itself at start, with its committed MikroORM migrations (kit/database.ts); nothing
-- here creates a table or a row. Names follow gateway/stack.ts: passerelle_<subgraph, _ for ->.
CREATE DATABASE passerelle_pole_emploi;
CREATE DATABASE passerelle_cap_emploi;
CREATE DATABASE passerelle_agefiph;
CREATE DATABASE passerelle_fiphfp;
