/** One output line (cabinet light, buzzer), driven high or low. */
export interface OutputLine {
  write(high: boolean): void;
  release(): Promise<void>;
}

/** One input line (service-door tamper switch): its level, and a call on every edge (bounces included). */
export interface InputLine {
  read(): Promise<boolean>;
  watch(onEdge: () => void): void;
  release(): Promise<void>;
}

/** Where the cabinet's lines come from: onoff, a sysfs tree, or the libgpiod tools. Lines are numbered as the driver numbers them. */
export interface GpioLines {
  output(line: number): Promise<OutputLine>;
  input(line: number): Promise<InputLine>;
}
