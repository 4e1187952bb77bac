/**
 * Domain errors. Each carries a message that is safe to show a user; details stay in server logs.
 * Actions and routes turn them into typed results / HTTP statuses in one place each.
 */
export class AppError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'Please sign in again.') {
    super(message, 401);
  }
}

/** A record of another tenant is reported as not found, so ids cannot be probed. */
export class NotFoundError extends AppError {
  constructor(message = 'Not found.') {
    super(message, 404);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'Your role does not allow this.') {
    super(message, 403);
  }
}

export class RateLimitedError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, 429);
  }
}
