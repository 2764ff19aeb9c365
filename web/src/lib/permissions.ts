import type { Permission, Role } from "../gql/graphql";

export const ROLE_NAMES: Record<Role, string> = {
  PRIMARY: "Primary member",
  MANAGER: "Account partner",
  STANDARD: "Standard user",
};

/** The extra grants a standard user may be given (models/access.py GRANTABLE), named by what they allow. */
export const GRANTS: ReadonlyArray<{ permission: Permission; label: string }> = [
  { permission: "VIEW_BILLING", label: "See bills and payments" },
  { permission: "PAY_BILLS", label: "Pay bills" },
  { permission: "MANAGE_SERVICES", label: "Manage services, appointments and outage reports" },
  { permission: "VIEW_MEMBERS", label: "See the account's other users" },
];

/** Every permission, in words, for API keys. */
export const PERMISSION_NAMES: Record<Permission, string> = {
  VIEW_BILLING: "See bills and payments",
  PAY_BILLS: "Pay bills",
  MANAGE_PAYMENT_METHODS: "Manage payment methods and autopay",
  MANAGE_SERVICES: "Manage services, appointments and outage reports",
  MANAGE_ACCOUNT: "Change the account's name, contact e-mail and address",
  VIEW_MEMBERS: "See the account's users",
  MANAGE_MEMBERS: "Manage users",
  VIEW_ACTIVITY: "See the account's activity",
};

export const ALL_PERMISSIONS = Object.keys(PERMISSION_NAMES) as Permission[];
