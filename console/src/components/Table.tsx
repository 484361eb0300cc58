import type { ReactNode } from 'react';

/**
 * A data table: column headers, rows, and a line saying so when there are none. `caption` names
 * the table for assistive technology (shown when `showCaption`).
 */
export function Table({ caption, columns, empty, showCaption, live, children }: { caption: ReactNode; columns: string[]; empty?: string | null; showCaption?: boolean; live?: boolean; children: ReactNode }) {
  return (
    <div className="table-wrap">
      <table aria-live={live ? 'polite' : undefined}>
        <caption className={showCaption ? undefined : 'sr-only'}>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th scope="col" key={column}>
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {children}
          {empty ? (
            <tr>
              <td colSpan={columns.length} className="empty">
                {empty}
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}
