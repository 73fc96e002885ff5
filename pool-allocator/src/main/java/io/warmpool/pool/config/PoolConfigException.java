package io.warmpool.pool.config;

/**
 * A setting's value that breaks a rule of {@link PoolConfig}: which setting, what value, and the
 * rule, each readable on its own (a command line maps the setting to its flag without reading the
 * message).
 */
public final class PoolConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final PoolSetting setting;
    private final String value;
    private final String rule;

    /**
     * @param setting the setting whose value is refused
     * @param value   the value, as text
     * @param rule    what the value must be, such as {@code "must be at least 1"}
     */
    public PoolConfigException(PoolSetting setting, String value, String rule) {
        super(setting.key() + " = " + value + ": " + rule);
        this.setting = setting;
        this.value = value;
        this.rule = rule;
    }

    /** The setting whose value is refused. */
    public PoolSetting setting() {
        return setting;
    }

    /** The refused value, as text. */
    public String value() {
        return value;
    }

    /** The rule it breaks, such as {@code "must be at least 1"}. */
    public String rule() {
        return rule;
    }
}
