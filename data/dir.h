/* dir.h: listing a folder, sorted, for the readers of datasets laid out as folders (YOWO label
 * trees, frame folders, VidOR annotation trees). */
#ifndef OV_DATA_DIR_H
#define OV_DATA_DIR_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { OV_DIR_FILES = 1, OV_DIR_FOLDERS = 2, OV_DIR_ALL = 3 } ovDirWhat;

/* The names in path (not . and .., not starting with '.'), sorted bytewise as Python's sorted()
 * sorts them, keeping files, folders or both (symbolic links are followed). *names is a
 * malloc'd array of malloc'd strings; free with ov_dir_free. 0, or -1 after ov_error. */
int ov_dir_list(const char *path, ovDirWhat what, char ***names, int *n);
void ov_dir_free(char **names, int n);
bool ov_is_dir(const char *path);
bool ov_is_file(const char *path);
/* snprintf into a path buffer; -1 after ov_error when the path does not fit. */
int ov_path_printf(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
