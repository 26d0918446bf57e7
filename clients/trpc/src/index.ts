/**
 * The router type of system-tables' tRPC endpoint (`/api/trpc`), for clients written in TypeScript:
 *
 *   import { createTRPCClient, httpBatchLink } from '@trpc/client';
 *   import type { SystemRouter } from '@system-tables/trpc-router';
 *   const trpc = createTRPCClient<SystemRouter>({ links: [httpBatchLink({ url: 'https://…/api/trpc' })] });
 *
 * With the service's `trpc.transformer: superjson`, use `SuperJsonSystemRouter` and pass `transformer: superjson`
 * to the links; timestamps then arrive as `Date` objects (as ISO-8601 strings otherwise).
 *
 * Types only: nothing here runs. The procedures are served by the Java class
 * `dev.systemtables.trpc.SystemRouter`; change both together.
 */
import type {
  TRPCBuiltRouter,
  TRPCDefaultErrorShape,
  TRPCMutationProcedure,
  TRPCQueryProcedure,
} from '@trpc/server';

export type Role = 'ADMIN' | 'CREATOR' | 'BRAND' | 'VIEWER' | 'SERVICE';
export type NotificationType = 'LICENSE' | 'PAYOUT' | 'ROYALTY' | 'PROJECT' | 'SYSTEM';
export type NotificationPriority = 'LOW' | 'MEDIUM' | 'HIGH' | 'URGENT';

/** Who a flag is on for; every member is optional, and a present list must hold the caller's value. */
export interface FlagConditions {
  userRoles?: Role[];
  brandIds?: string[];
  creatorIds?: string[];
  userIds?: string[];
  customConditions?: Record<string, string | number | boolean>;
}

export interface FeatureFlag {
  id: string;
  name: string;
  enabled: boolean;
  description: string | null;
  rolloutPercentage: number;
  conditions: FlagConditions | null;
  createdBy: string | null;
  updatedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** An idempotency record of the caller (completed, or null while unknown). */
export interface IdempotencyRecord {
  key: string;
  processed: boolean;
  entityType: string;
  entityId: string | null;
  responseStatus: number | null;
  responseBody: unknown;
  createdAt: Date;
  expiresAt: Date;
}

export interface Notification {
  id: string;
  userId: string;
  type: NotificationType;
  title: string;
  message: string;
  actionUrl: string | null;
  priority: NotificationPriority;
  read: boolean;
  readAt: Date | null;
  metadata: Record<string, unknown> | null;
  createdAt: Date;
}

export interface Pagination {
  page: number;
  pageSize: number;
  total: number;
  totalPages: number;
}

export interface FlagInput {
  /** lowercase kebab-case, 3–100 characters */
  name: string;
  enabled?: boolean;
  /** at most 500 characters */
  description?: string | null;
  conditions?: FlagConditions | null;
  /** an integer 0–100 */
  rolloutPercentage?: number;
}

export type FlagUpdateInput = { id: string } & Partial<FlagInput>;

export interface NotificationListInput {
  read?: boolean;
  type?: NotificationType;
  /** from 1 */
  page?: number;
  /** 1–100, 20 when absent */
  pageSize?: number;
  /** not in the original module: a priority filter */
  priority?: NotificationPriority;
  /** not in the original module: only notifications newer than this one of the caller's (instead of `page`) */
  after?: string;
}

interface NotificationContent {
  type: NotificationType;
  /** 1–255 characters */
  title: string;
  /** 1–1000 characters */
  message: string;
  priority?: NotificationPriority;
  /** an http(s) URL or a path starting with a single `/` */
  actionUrl?: string;
  /** a JSON object of at most 16 KiB */
  metadata?: Record<string, unknown>;
}

/** Exactly one of `userId`, `userIds` (≤ 10,000), `userRole`. */
export type NotificationCreateInput = NotificationContent &
  (
    | { userId: string; userIds?: never; userRole?: never }
    | { userIds: string[]; userId?: never; userRole?: never }
    | { userRole: Role; userId?: never; userIds?: never }
  );

/** The error shape: tRPC's default plus create-t3-app's `zodError` and the service's catalog code. */
export type SystemErrorShape = TRPCDefaultErrorShape & {
  data: TRPCDefaultErrorShape['data'] & {
    zodError: { formErrors: string[]; fieldErrors: Record<string, string[] | undefined> } | null;
    /** the service's stable error code, e.g. IDEMPOTENCY_IN_PROGRESS or FLAG_NAME_TAKEN */
    errorCode?: string;
  };
};

type Query<I, O> = TRPCQueryProcedure<{ meta: object; input: I; output: O; errorShape: SystemErrorShape }>;
type Mutation<I, O> = TRPCMutationProcedure<{ meta: object; input: I; output: O; errorShape: SystemErrorShape }>;

type Procedures = {
  system: {
    idempotency: {
      check: Query<{ key: string }, { data: IdempotencyRecord | null }>;
    };
    featureFlags: {
      isEnabled: Query<{ flagName: string }, { data: { enabled: boolean } }>;
      list: Query<void, { data: FeatureFlag[] }>;
      create: Mutation<FlagInput, { data: FeatureFlag }>;
      update: Mutation<FlagUpdateInput, { data: FeatureFlag }>;
      delete: Mutation<{ id: string }, { data: { success: true } }>;
    };
    notifications: {
      list: Query<NotificationListInput | void, { data: Notification[]; meta: { pagination: Pagination; after?: string } }>;
      getUnreadCount: Query<void, { data: { count: number } }>;
      markAsRead: Mutation<{ notificationId: string }, { data: { id: string; read: true; readAt: Date } }>;
      markAllAsRead: Mutation<void, { data: { count: number } }>;
      delete: Mutation<{ notificationId: string }, { data: { success: true } }>;
      create: Mutation<NotificationCreateInput, { data: { created: number; notificationIds?: string[] } }>;
    };
  };
};

/** The router with a given transformer setting: `false` for plain JSON, `true` for superjson. */
export type SystemRouterOf<TTransformer extends boolean> = TRPCBuiltRouter<
  { ctx: object; meta: object; errorShape: SystemErrorShape; transformer: TTransformer },
  Procedures
>;

/** The router as the service serves it by default (plain JSON: timestamps are ISO-8601 strings). */
export type SystemRouter = SystemRouterOf<false>;

/** The router with `trpc.transformer: superjson` (links need `transformer: superjson`; timestamps are `Date`s). */
export type SuperJsonSystemRouter = SystemRouterOf<true>;
