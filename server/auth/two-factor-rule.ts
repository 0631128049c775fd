// The one rule for who must have two-factor sign-in before working: admins. The tRPC builders and the
// page middleware both ask it, so pages and the API cannot disagree.
export const mustEnrolTwoFactor = (
  user: { role: string; twoFactorEnabled: boolean } | null | undefined,
): boolean => user?.role === "admin" && !user.twoFactorEnabled;
