// PostGraphile v5 configuration for the read benchmark (bench/readbench).
// The harness copies this file into its npm cache directory and runs
//   npx postgraphile -P postgraphile/presets/amber -c <url> -s public -C graphile.config.mjs
// from there, so "postgraphile/..." imports resolve to the cached install, never the repository.
//
// Every request runs as the non-superuser role bench_graphile_reader (the postgres superuser
// would bypass row-level security) with the partner and purpose in pgSettings; the policies in
// bench/postgraphile/rls.sql (generated from the hub's own agreement scope) read them back with
// current_setting('hub.partner_id') and current_setting('hub.purpose').

const preset = {
  grafast: {
    context(requestContext) {
      const req = requestContext.node?.req;
      const headers = req?.headers ?? {};
      return {
        pgSettings: {
          role: "bench_graphile_reader",
          "hub.partner_id": String(headers["x-hub-partner"] ?? ""),
          "hub.purpose": String(headers["x-hub-purpose"] ?? ""),
        },
      };
    },
  },
  grafserv: {
    graphiql: false,
    watch: false,
  },
};

export default preset;
