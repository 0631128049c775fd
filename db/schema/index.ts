export * from "./accounts";
export * from "./integration";
export * from "./mail";
export * from "./orders";
export * from "./sessions";
