export const WIDGET_BUDGETS: Record<"loader.js" | "panel.js", number>;
export const WIDGET_TOTAL_BUDGET: number;
export function widgetSizes(): Record<string, number>;
export function widgetFile(file: "loader.js" | "panel.js"): string;
