import { invoke } from '../define'
import { federationCheckRequestSchema, federationReportSchema } from '../../types/federation'

/** The helpdesk's federation (server-to-server mutual TLS) check. */
export const federationChannels = {
  /**
   * Checks whether our edge can federate with a partner domain: discovers the partner's edge,
   * connects with our edge certificate, evaluates both certificates in both roles, sends one
   * OPTIONS over a connection it trusts, closes. Never signs in and sends no credentials.
   */
  'federation:check': invoke(federationCheckRequestSchema, federationReportSchema)
} as const
