import type { Logger } from 'pino';
import type { DeviceConfig } from '../config/device-config.ts';
import { type CabinetIo, SoftCabinetIo } from './cabinet-io.ts';
import { GpiodLines, gpiodDefaults } from './gpiod-lines.ts';
import { LineCabinetIo } from './line-cabinet-io.ts';
import { OnoffLines } from './onoff-lines.ts';
import { SysfsLines, sysfsDefaults } from './sysfs-lines.ts';

/** The cabinet's GPIO as `gpio.driver` says: soft (no GPIO), onoff, sysfs files, or the libgpiod tools. */
export function createCabinetIo(gpio: DeviceConfig['gpio'], logger: Logger): CabinetIo {
  switch (gpio.driver) {
    case 'soft':
      return new SoftCabinetIo(logger);
    case 'onoff':
      return new LineCabinetIo(new OnoffLines(logger), gpio, logger);
    case 'sysfs':
      return new LineCabinetIo(
        new SysfsLines(logger, { ...sysfsDefaults, root: gpio.sysfsRoot ?? sysfsDefaults.root }),
        gpio,
        logger,
      );
    case 'gpiod':
      return new LineCabinetIo(
        new GpiodLines(logger, { ...gpiodDefaults, chip: gpio.chip ?? gpiodDefaults.chip }),
        gpio,
        logger,
      );
  }
}
