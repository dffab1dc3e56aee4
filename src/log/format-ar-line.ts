/**
 * One line for `<home>/logs/active-responses.log`, in the format Wazuh's own active responses
 * use (`YYYY/MM/DD HH:MM:SS active-response/bin/<name>: <message>`), so it reads like its
 * neighbours and the same tools parse it.
 */
export function formatActiveResponseLine(now: Date, message: string): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  const date = `${now.getFullYear()}/${pad(now.getMonth() + 1)}/${pad(now.getDate())}`;
  const time = `${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
  return `${date} ${time} active-response/bin/geo-response: ${message}`;
}
