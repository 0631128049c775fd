// One built server with demo data for all e2e test files; its address and database reach the tests
// through vitest's provide/inject.
import type { TestProject } from "vitest/node";
import { startServer } from "../helpers/server";

export default async function setup(project: TestProject) {
  const server = await startServer();
  project.provide("baseUrl", server.url);
  project.provide("dbUrl", server.dbUrl);
  project.provide("mailDir", server.mailDir);
  project.provide("demoUrl", server.demoUrl);
  return async () => {
    await server.stop();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    dbUrl: string;
    mailDir: string;
    demoUrl: string;
  }
}
