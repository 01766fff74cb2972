/**
 * The driver registry: implementations registered explicitly by (kind, name), gated by the
 * config's enabled lists, and the rules that pick a node's interfaces from its hardware type.
 */
import { NotFoundError, ValidationError } from '../domain/errors.js'
import type { HardwareType } from './hardware-types.js'
import { INTERFACE_KINDS, REQUIRED_KINDS, type InterfaceKind } from './interface-kinds.js'
import type { AnyDriverInterface, InterfaceByKind, NodeInterfaces } from './interfaces/by-kind.js'

/** Compile-time check that every kind has an interface type and vice versa. */
type _KindsMatch = [InterfaceKind] extends [keyof InterfaceByKind]
  ? [keyof InterfaceByKind] extends [InterfaceKind]
    ? true
    : never
  : never
const _kindsMatch: _KindsMatch = true
void _kindsMatch

/** Implementation names per kind. */
export type InterfaceNames = Readonly<Record<InterfaceKind, string>>

/** Which hardware types and implementations are enabled (Ironic's `enabled_*` options). */
export interface DriverConfig {
  /** Enabled hardware type names; all registered types when absent. */
  readonly enabledHardwareTypes?: readonly string[]
  /** Enabled implementation names per kind; every registered implementation of a kind that is absent. */
  readonly enabled?: Readonly<Partial<Record<InterfaceKind, readonly string[]>>>
  /** Default implementation per kind when a node names none (Ironic's `default_*_interface`). */
  readonly defaults?: Readonly<Partial<Record<InterfaceKind, string>>>
}

/** Registered hardware types and implementations, filtered by config. */
export class DriverRegistry {
  readonly #config: DriverConfig
  readonly #types = new Map<string, HardwareType>()
  readonly #impls = new Map<InterfaceKind, Map<string, AnyDriverInterface>>(INTERFACE_KINDS.map((k) => [k, new Map()]))

  readonly #closers: (() => Promise<void>)[] = []

  constructor(config: DriverConfig = {}) {
    this.#config = config
  }

  /** Registers something to release when the registry closes (BMC session pools). */
  onClose(fn: () => Promise<void>): void {
    this.#closers.push(fn)
  }

  /** Closes BMC sessions and other resources the implementations hold. Never throws. */
  async close(): Promise<void> {
    await Promise.allSettled(this.#closers.splice(0).map((fn) => fn()))
  }

  /** Registers a hardware type. @throws Error on a duplicate name */
  registerHardwareType(type: HardwareType): this {
    if (this.#types.has(type.name)) throw new Error(`hardware type "${type.name}" is already registered`)
    this.#types.set(type.name, type)
    return this
  }

  /** Registers an implementation under its (kind, name). @throws Error on a duplicate */
  register(impl: AnyDriverInterface): this {
    const byName = this.#impls.get(impl.kind) as Map<string, AnyDriverInterface>
    if (byName.has(impl.name)) throw new Error(`${impl.kind} interface "${impl.name}" is already registered`)
    byName.set(impl.name, impl)
    return this
  }

  /** Registered implementation names of a kind that the config enables, in config order. */
  enabledInterfaceNames(kind: InterfaceKind): string[] {
    const registered = this.#impls.get(kind) as Map<string, AnyDriverInterface>
    const listed = this.#config.enabled?.[kind]
    if (listed === undefined) return [...registered.keys()]
    return listed.filter((n) => registered.has(n))
  }

  /** True if the implementation is registered and enabled. */
  isEnabled(kind: InterfaceKind, name: string): boolean {
    return this.enabledInterfaceNames(kind).includes(name)
  }

  /**
   * An enabled implementation.
   * @throws ValidationError when it is not registered or not enabled
   */
  getInterface<K extends InterfaceKind>(kind: K, name: string): InterfaceByKind[K] {
    if (!this.isEnabled(kind, name)) throw this.#notEnabled(kind, name)
    return (this.#impls.get(kind) as Map<string, AnyDriverInterface>).get(name) as InterfaceByKind[K]
  }

  /** Every registered hardware type, sorted by name. */
  listHardwareTypes(): HardwareType[] {
    return [...this.#types.values()].sort((a, b) => a.name.localeCompare(b.name))
  }

  /**
   * Hardware types that are enabled by config and have an enabled implementation for each
   * required kind (boot, deploy, management, power).
   */
  enabledHardwareTypes(): HardwareType[] {
    const wanted = this.#config.enabledHardwareTypes
    return this.listHardwareTypes().filter(
      (t) =>
        (wanted === undefined || wanted.includes(t.name)) &&
        REQUIRED_KINDS.every((k) => this.supportedInterfaces(t, k).length > 0),
    )
  }

  /**
   * An enabled hardware type.
   * @throws NotFoundError when it is unknown or not enabled (the API maps it to 400 on node create)
   */
  getHardwareType(name: string): HardwareType {
    const t = this.enabledHardwareTypes().find((h) => h.name === name)
    if (t === undefined) {
      throw new NotFoundError(`Could not find the driver "${name}": it is unknown or not enabled.`, {
        code: 'DRIVER_NOT_FOUND',
      })
    }
    return t
  }

  /**
   * Enabled implementations a hardware type supports for a kind, most preferred first (the API's
   * `enabled_<kind>_interfaces` of a driver). For `acceptsAnyEnabled` types, the preferred ones
   * come first, then every other enabled implementation.
   */
  supportedInterfaces(type: HardwareType, kind: InterfaceKind): string[] {
    const enabled = this.enabledInterfaceNames(kind)
    const preferred = type.interfaces[kind].filter((n) => enabled.includes(n))
    if (!type.acceptsAnyEnabled) return preferred
    return [...preferred, ...enabled.filter((n) => !preferred.includes(n))]
  }

  /** The implementation a node of this type gets when it names none, or undefined if none is enabled. */
  defaultInterface(type: HardwareType, kind: InterfaceKind): string | undefined {
    const supported = this.supportedInterfaces(type, kind)
    const configured = this.#config.defaults?.[kind]
    if (configured !== undefined && supported.includes(configured)) return configured
    return supported[0]
  }

  /**
   * Fills a node's interface names: checks each requested one and defaults the rest.
   * @throws NotFoundError when the hardware type is unknown or disabled
   * @throws ValidationError when a requested implementation is not enabled or not supported by
   *   the hardware type, or when a kind has no enabled default
   */
  resolveInterfaces(hardwareType: string, requested: Readonly<Partial<Record<InterfaceKind, string | null>>> = {}): InterfaceNames {
    const type = this.getHardwareType(hardwareType)
    const out = {} as Record<InterfaceKind, string>
    for (const kind of INTERFACE_KINDS) {
      const asked = requested[kind]
      if (asked !== undefined && asked !== null) {
        if (!this.isEnabled(kind, asked)) throw this.#notEnabled(kind, asked)
        const supported = this.supportedInterfaces(type, kind)
        if (!supported.includes(asked)) {
          throw new ValidationError(
            `The ${kind} interface "${asked}" is not supported by hardware type "${type.name}". ` +
              `Supported ${kind} interfaces: ${supported.join(', ') || '(none enabled)'}.`,
            { code: 'FERRUM_INCOMPATIBLE_INTERFACE', details: { kind, interface: asked, hardware_type: type.name } },
          )
        }
        out[kind] = asked
        continue
      }
      const fallback = this.defaultInterface(type, kind)
      if (fallback === undefined) {
        throw new ValidationError(
          `No ${kind} interface is enabled for hardware type "${type.name}"; it allows: ${type.interfaces[kind].join(', ')}.`,
          { code: 'FERRUM_NO_DEFAULT_INTERFACE', details: { kind, hardware_type: type.name } },
        )
      }
      out[kind] = fallback
    }
    return Object.freeze(out)
  }

  /**
   * Loads a node's interfaces by name (as stored on the node).
   * @throws ValidationError when one of them is no longer enabled
   */
  loadInterfaces(names: InterfaceNames): NodeInterfaces {
    const out = {} as Record<InterfaceKind, AnyDriverInterface>
    for (const kind of INTERFACE_KINDS) out[kind] = this.getInterface(kind, names[kind])
    return out as unknown as NodeInterfaces
  }

  /**
   * driver_info properties of a hardware type: the union over every enabled implementation it
   * supports (what `GET /v1/drivers/{driver}/properties` returns).
   */
  driverProperties(hardwareType: string): Record<string, string> {
    const type = this.getHardwareType(hardwareType)
    const props: Record<string, string> = {}
    for (const kind of INTERFACE_KINDS) {
      for (const name of this.supportedInterfaces(type, kind)) Object.assign(props, this.getInterface(kind, name).getProperties())
    }
    return props
  }

  /** Config entries that name nothing registered, as messages for the startup log. */
  problems(): string[] {
    const out: string[] = []
    for (const kind of INTERFACE_KINDS) {
      for (const name of this.#config.enabled?.[kind] ?? []) {
        if (!(this.#impls.get(kind) as Map<string, AnyDriverInterface>).has(name)) {
          out.push(`enabled ${kind} interface "${name}" has no implementation in this build`)
        }
      }
    }
    for (const name of this.#config.enabledHardwareTypes ?? []) {
      const t = this.#types.get(name)
      if (t === undefined) out.push(`enabled hardware type "${name}" is unknown`)
      else {
        for (const kind of REQUIRED_KINDS) {
          if (this.supportedInterfaces(t, kind).length === 0) {
            out.push(`hardware type "${name}" is disabled: none of its ${kind} interfaces (${t.interfaces[kind].join(', ')}) is enabled`)
          }
        }
      }
    }
    return out
  }

  #notEnabled(kind: InterfaceKind, name: string): ValidationError {
    const enabled = this.enabledInterfaceNames(kind)
    return new ValidationError(
      `The ${kind} interface "${name}" is not enabled. Enabled ${kind} interfaces: ${enabled.join(', ') || '(none)'}.`,
      { code: 'FERRUM_INTERFACE_NOT_ENABLED', details: { kind, interface: name } },
    )
  }
}
