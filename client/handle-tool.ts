/**
 * The async-handle tools' names: part of the protocol this server speaks, so the server declares its
 * tools by them and the client calls them by them (the client depends on nothing server-side).
 */
export const HandleTool = {
  Initiate: 'initiate_background_task',
  Resolve: 'resolve_task_status',
  Cancel: 'cancel_task',
  List: 'list_tasks',
} as const;
