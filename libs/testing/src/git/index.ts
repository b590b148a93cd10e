export { GitTestServer, type GitServerAuth, type GitTestServerOptions } from './git-test-server.js';
export { TestRepo, type CommitOptions, type CraftedEntry } from './test-repo.js';
