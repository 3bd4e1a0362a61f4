/** `gatehouse/client`: the same SDK as `@gatehouse/client`, for projects that install the server. */
export * from '@gatehouse/client';
