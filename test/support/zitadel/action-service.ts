import { randomBytes } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { durationFromMs, durationMs, timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { ServiceImpl } from '@connectrpc/connect';
import { ActionService } from '@zitadel/proto/zitadel/action/v2beta/action_service_pb.js';
import type { Condition } from '@zitadel/proto/zitadel/action/v2beta/execution_pb.js';
import { RESTAsyncSchema, RESTCallSchema, RESTWebhookSchema, TargetSchema, type Target } from '@zitadel/proto/zitadel/action/v2beta/target_pb.js';
import type { Core } from './core.js';
import { Code, requireText, validationError, zitadelError } from './errors.js';
import { newId } from './ids.js';
import type { StoredTarget, TargetType, ZitadelState } from './state.js';
import { textMatches } from './user-queries.js';

/** `zitadel.action.v2beta.ActionService`: Actions v2 targets and executions. */

function newSigningKey(): string {
  return randomBytes(24).toString('base64url');
}

function targetMessage(target: StoredTarget): Target {
  const interruptOnError = target.interruptOnError;
  const targetType: Target['targetType'] =
    target.type === 'restAsync'
      ? { case: 'restAsync', value: create(RESTAsyncSchema) }
      : target.type === 'restCall'
        ? { case: 'restCall', value: create(RESTCallSchema, { interruptOnError }) }
        : { case: 'restWebhook', value: create(RESTWebhookSchema, { interruptOnError }) };
  return create(TargetSchema, {
    id: target.id,
    creationDate: timestampFromDate(target.createdAt),
    changeDate: timestampFromDate(target.changedAt),
    name: target.name,
    targetType,
    timeout: durationFromMs(target.timeoutMs),
    endpoint: target.endpoint,
    signingKey: target.signingKey,
  });
}

/** A key per condition; only one execution exists per condition. */
export function conditionKey(condition: Condition): string {
  const c = condition.conditionType;
  switch (c.case) {
    case 'request':
    case 'response':
    case 'event':
      return `${c.case}:${c.value.condition.case ?? ''}:${String(c.value.condition.value ?? '')}`;
    case 'function':
      return `function:${c.value.name}`;
    case undefined:
      throw validationError('SetExecutionRequest.Condition', 'value is required');
  }
}

/** The targets ZITADEL calls after a method: the best match wins, method over service over all. */
export function responseTargets(state: ZitadelState, fullMethod: string): StoredTarget[] {
  const service = fullMethod.split('/')[1] ?? '';
  for (const key of [`response:method:${fullMethod}`, `response:service:${service}`, 'response:all:true']) {
    const execution = state.executions.get(key);
    if (execution) return execution.targets.flatMap((id) => state.targets.get(id) ?? []);
  }
  return [];
}

export function actionService(core: Core): Partial<ServiceImpl<typeof ActionService>> {
  const { state } = core;
  const requireTarget = (id: string) => {
    const target = state.targets.get(id);
    if (!target) throw zitadelError(Code.NotFound, 'COMMAND-xrzp9b', 'Errors.Target.NotFound');
    return target;
  };
  const nameTaken = (name: string, except?: string) => [...state.targets.values()].some((t) => t.name === name && t.id !== except);

  return {
    createTarget(req) {
      requireText(req.name, 'CreateTargetRequest.Name', 1000);
      requireText(req.endpoint, 'CreateTargetRequest.Endpoint', 1000);
      if (!req.timeout) throw validationError('CreateTargetRequest.Timeout', 'value is required');
      if (!req.targetType.case) throw validationError('CreateTargetRequest.TargetType', 'value is required');
      // UNVERIFIED id: target names are unique in the instance.
      if (nameTaken(req.name)) throw zitadelError(Code.AlreadyExists, 'INSTANCE-9axkz0jvzm', 'Errors.Target.AlreadyExists');
      const now = new Date();
      const target: StoredTarget = {
        id: newId(),
        createdAt: now,
        changedAt: now,
        name: req.name,
        endpoint: req.endpoint,
        type: req.targetType.case,
        interruptOnError: req.targetType.case !== 'restAsync' && req.targetType.value.interruptOnError,
        timeoutMs: durationMs(req.timeout),
        signingKey: newSigningKey(),
      };
      state.targets.set(target.id, target);
      return { id: target.id, creationDate: timestampFromDate(now), signingKey: target.signingKey };
    },

    updateTarget(req) {
      const target = requireTarget(req.id);
      if (req.name !== undefined && nameTaken(req.name, target.id)) throw zitadelError(Code.AlreadyExists, 'INSTANCE-9axkz0jvzm', 'Errors.Target.AlreadyExists');
      if (req.name !== undefined) target.name = req.name;
      if (req.endpoint !== undefined) target.endpoint = req.endpoint;
      if (req.timeout) target.timeoutMs = durationMs(req.timeout);
      if (req.targetType.case) {
        target.type = req.targetType.case as TargetType;
        target.interruptOnError = req.targetType.case !== 'restAsync' && req.targetType.value.interruptOnError;
      }
      // Asking for an expiration of the signing key rotates it. UNVERIFIED: ZITADEL may keep the old key
      // valid until it expires; the double switches at once.
      const rotated = req.expirationSigningKey !== undefined;
      if (rotated) target.signingKey = newSigningKey();
      target.changedAt = new Date();
      return { changeDate: timestampFromDate(target.changedAt), signingKey: rotated ? target.signingKey : undefined };
    },

    deleteTarget(req) {
      const target = requireTarget(req.id);
      state.targets.delete(target.id);
      for (const execution of state.executions.values()) execution.targets = execution.targets.filter((id) => id !== target.id);
      return { deletionDate: timestampFromDate(new Date()) };
    },

    getTarget(req) {
      return { target: targetMessage(requireTarget(req.id)) };
    },

    listTargets(req) {
      const targets = [...state.targets.values()].filter((target) =>
        req.filters.every(({ filter }) => {
          if (filter.case === 'targetNameFilter') return textMatches(target.name, filter.value.targetName, filter.value.method as number);
          if (filter.case === 'inTargetIdsFilter') return filter.value.targetIds.includes(target.id);
          return true;
        }),
      );
      return { pagination: { totalResult: BigInt(targets.length), appliedLimit: BigInt(targets.length) }, targets: targets.map(targetMessage) };
    },

    setExecution(req) {
      if (!req.condition) throw validationError('SetExecutionRequest.Condition', 'value is required');
      const key = conditionKey(req.condition);
      const c = req.condition.conditionType;
      if ((c.case === 'request' || c.case === 'response') && c.value.condition.case === 'method' && !/^\/[\w.]+\/\w+$/.test(c.value.condition.value)) {
        throw zitadelError(Code.InvalidArgument, 'COMMAND-vysplsevt8', 'Errors.Execution.Invalid');
      }
      for (const id of req.targets) requireTarget(id);
      const now = new Date();
      if (req.targets.length === 0) state.executions.delete(key);
      else state.executions.set(key, { condition: req.condition, createdAt: state.executions.get(key)?.createdAt ?? now, changedAt: now, targets: [...req.targets] });
      return { setDate: timestampFromDate(now) };
    },

    listExecutions() {
      const executions = [...state.executions.values()].map((e) => ({ condition: e.condition, creationDate: timestampFromDate(e.createdAt), changeDate: timestampFromDate(e.changedAt), targets: e.targets }));
      return { pagination: { totalResult: BigInt(executions.length), appliedLimit: BigInt(executions.length) }, executions };
    },
  };
}
