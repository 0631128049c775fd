export * from "./accounts";
export * from "./feedback";
export * from "./integration";
export * from "./mail";
export * from "./orders";
export * from "./requests";
export * from "./sessions";
export * from "./sites";
