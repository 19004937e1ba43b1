/*
 * A few lab commands for linphonec (Debian linphone-cli 5.1), loaded with LD_PRELOAD by
 * tests/lab/linphone.ts and compiled there with the machine's cc against the installed
 * liblinphone (no -dev package: the handful of prototypes are declared below).
 *
 * linphonec has no command to set one's own presence, to open (read) a chat, or to list a
 * chat's messages with their delivery state: the Linphone apps do these through liblinphone's
 * public API, and so do these commands. Everything else is stock linphonec.
 *
 * linphonec reads its commands with readline() on the main thread (liblinphone iterates from
 * readline's event hook), so a line starting with "lab-" is taken here and the API is called on
 * the main thread, as linphonec's own commands are. Output lines start with "lab: ".
 *
 *   lab-presence online|busy|dnd|offline [note]   linphone_core_set_consolidated_presence, as the
 *                                                 apps' presence menu; with a note, the same model
 *                                                 plus a <note>
 *   lab-read <sip-uri>         linphone_chat_room_mark_as_read (the user opened the chat: sends
 *                              the display notifications that were asked for)
 *   lab-history <sip-uri>      one line per message: dir, state, message-id, content type, text
 *   lab-friend <sip-uri>       how Linphone reads the contact's presence: consolidated
 *                              presence, the older online status, basic status, activities, note
 *   lab-compose <sip-uri>      linphone_chat_room_compose (typing indication)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct _LinphoneCore LinphoneCore;
typedef struct _LinphoneChatRoom LinphoneChatRoom;
typedef struct _LinphoneChatMessage LinphoneChatMessage;
typedef struct _LinphoneAddress LinphoneAddress;
typedef struct _LinphoneFriend LinphoneFriend;
typedef struct _LinphonePresenceModel LinphonePresenceModel;
typedef struct _LinphonePresenceActivity LinphonePresenceActivity;
typedef struct _LinphonePresenceNote LinphonePresenceNote;
typedef struct _bctbx_list {
  struct _bctbx_list *next;
  struct _bctbx_list *prev;
  void *data;
} bctbx_list_t;

/* linphone/types.h and presence.h of liblinphone 5.1 */
enum { BasicOpen = 0, BasicClosed = 1 };
enum { ActivityAway = 1 }; /* LinphonePresenceActivityAway (5.1 has no Offline/Online entries) */
enum { ConsolidatedOnline = 0, ConsolidatedBusy = 1, ConsolidatedDnd = 2, ConsolidatedOffline = 3 };

extern void linphone_core_set_consolidated_presence(LinphoneCore *lc, int presence);
extern void linphone_core_set_presence_model(LinphoneCore *lc, LinphonePresenceModel *model);
extern LinphonePresenceModel *linphone_presence_model_new(void);
extern LinphonePresenceModel *linphone_presence_model_new_with_activity(int activity,
                                                                       const char *description);
extern int linphone_presence_model_set_basic_status(LinphonePresenceModel *m, int basic);
extern int linphone_presence_model_add_note(LinphonePresenceModel *m, const char *content,
                                            const char *lang);
extern void linphone_presence_model_unref(LinphonePresenceModel *m);
extern int linphone_presence_model_get_basic_status(const LinphonePresenceModel *m);
extern unsigned int linphone_presence_model_get_nb_activities(const LinphonePresenceModel *m);
extern LinphonePresenceActivity *linphone_presence_model_get_nth_activity(
    const LinphonePresenceModel *m, unsigned int idx);
extern LinphonePresenceNote *linphone_presence_model_get_note(const LinphonePresenceModel *m,
                                                              const char *lang);
extern const char *linphone_presence_note_get_content(const LinphonePresenceNote *note);
extern char *linphone_presence_activity_to_string(const LinphonePresenceActivity *activity);
extern LinphoneChatRoom *linphone_core_get_chat_room_from_uri(LinphoneCore *lc, const char *to);
extern void linphone_chat_room_mark_as_read(LinphoneChatRoom *cr);
extern void linphone_chat_room_compose(LinphoneChatRoom *cr);
extern bctbx_list_t *linphone_chat_room_get_history(LinphoneChatRoom *cr, int nb_message);
extern int linphone_chat_message_get_state(const LinphoneChatMessage *msg);
extern const char *linphone_chat_message_state_to_string(int state);
extern const char *linphone_chat_message_get_message_id(const LinphoneChatMessage *msg);
extern const char *linphone_chat_message_get_content_type(LinphoneChatMessage *msg);
extern const char *linphone_chat_message_get_utf8_text(const LinphoneChatMessage *msg);
extern int linphone_chat_message_is_outgoing(LinphoneChatMessage *msg);
extern void linphone_chat_message_unref(LinphoneChatMessage *msg);
extern LinphoneFriend *linphone_core_get_friend_by_address(const LinphoneCore *lc,
                                                           const char *uri);
extern int linphone_friend_get_consolidated_presence(const LinphoneFriend *lf);
extern int linphone_friend_get_status(const LinphoneFriend *lf);
extern const char *linphone_online_status_to_string(int status);
extern const LinphonePresenceModel *linphone_friend_get_presence_model(const LinphoneFriend *lf);
extern void bctbx_list_free(bctbx_list_t *list);
extern void bctbx_free(void *ptr);

static LinphoneCore *core = NULL;

LinphoneCore *linphone_core_new(const void *vtable, const char *config_path,
                                const char *factory_config_path, void *userdata) {
  static LinphoneCore *(*real)(const void *, const char *, const char *, void *) = NULL;
  if (!real) real = dlsym(RTLD_NEXT, "linphone_core_new");
  core = real(vtable, config_path, factory_config_path, userdata);
  return core;
}

static void out(const char *fmt, const char *a, const char *b) {
  printf("lab: ");
  printf(fmt, a, b);
  printf("\n");
  fflush(stdout);
}

/* One line of output: newlines and backslashes escaped, so a message is always one line. */
static void print_escaped(const char *s) {
  for (; s && *s; s++) {
    if (*s == '\n') fputs("\\n", stdout);
    else if (*s == '\r') fputs("\\r", stdout);
    else if (*s == '\\') fputs("\\\\", stdout);
    else putchar(*s);
  }
}

static void presence(char *args) {
  char *state = strtok_r(args, " ", &args);
  char *note = args && *args ? args : NULL;
  int consolidated;
  if (!state) state = "";
  if (!strcmp(state, "online")) consolidated = ConsolidatedOnline;
  else if (!strcmp(state, "busy")) consolidated = ConsolidatedBusy;
  else if (!strcmp(state, "dnd")) consolidated = ConsolidatedDnd;
  else if (!strcmp(state, "offline")) consolidated = ConsolidatedOffline;
  else {
    out("error unknown presence '%s'%s", state, "");
    return;
  }
  if (!note) {
    linphone_core_set_consolidated_presence(core, consolidated);
  } else {
    /* What linphone_core_set_consolidated_presence builds (open or closed, an "away" activity
     * for busy and do-not-disturb), with the note added. */
    LinphonePresenceModel *m =
        (consolidated == ConsolidatedBusy || consolidated == ConsolidatedDnd)
            ? linphone_presence_model_new_with_activity(ActivityAway, NULL)
            : linphone_presence_model_new();
    linphone_presence_model_set_basic_status(
        m, (consolidated == ConsolidatedOnline || consolidated == ConsolidatedBusy) ? BasicOpen
                                                                                    : BasicClosed);
    linphone_presence_model_add_note(m, note, NULL);
    linphone_core_set_presence_model(core, m);
    linphone_presence_model_unref(m);
  }
  out("ok presence %s%s", state, "");
}

static LinphoneChatRoom *room(const char *uri) {
  LinphoneChatRoom *cr = uri && *uri ? linphone_core_get_chat_room_from_uri(core, uri) : NULL;
  if (!cr) out("error no chat room for '%s'%s", uri ? uri : "", "");
  return cr;
}

static void history(const char *uri) {
  LinphoneChatRoom *cr = room(uri);
  if (!cr) return;
  bctbx_list_t *list = linphone_chat_room_get_history(cr, 0);
  for (bctbx_list_t *it = list; it; it = it->next) {
    LinphoneChatMessage *msg = it->data;
    const char *id = linphone_chat_message_get_message_id(msg);
    const char *type = linphone_chat_message_get_content_type(msg);
    printf("lab: msg dir=%s state=%s id=%s type=%s text=",
           linphone_chat_message_is_outgoing(msg) ? "out" : "in",
           linphone_chat_message_state_to_string(linphone_chat_message_get_state(msg)),
           id && *id ? id : "-", type && *type ? type : "-");
    print_escaped(linphone_chat_message_get_utf8_text(msg));
    printf("\n");
    linphone_chat_message_unref(msg);
  }
  bctbx_list_free(list);
  out("ok history %s%s", uri, "");
}

static void friend_status(const char *uri) {
  LinphoneFriend *lf = uri && *uri ? linphone_core_get_friend_by_address(core, uri) : NULL;
  if (!lf) {
    out("error no friend '%s'%s", uri ? uri : "", "");
    return;
  }
  static const char *consolidated[] = {"online", "busy", "dnd", "offline"};
  int c = linphone_friend_get_consolidated_presence(lf);
  const LinphonePresenceModel *m = linphone_friend_get_presence_model(lf);
  printf("lab: friend %s consolidated=%s status=%s", uri,
         c >= 0 && c <= 3 ? consolidated[c] : "?",
         linphone_online_status_to_string(linphone_friend_get_status(lf)));
  if (m) {
    printf(" basic=%s activities=",
           linphone_presence_model_get_basic_status(m) == BasicOpen ? "open" : "closed");
    unsigned int n = linphone_presence_model_get_nb_activities(m);
    for (unsigned int i = 0; i < n; i++) {
      char *a = linphone_presence_activity_to_string(linphone_presence_model_get_nth_activity(m, i));
      printf("%s%s", i ? "|" : "", a ? a : "?");
      if (a) bctbx_free(a);
    }
    LinphonePresenceNote *note = linphone_presence_model_get_note(m, NULL);
    printf(" note=");
    print_escaped(note ? linphone_presence_note_get_content(note) : "");
  } else {
    printf(" basic=none");
  }
  printf("\n");
  out("ok friend %s%s", uri, "");
}

static void lab_command(char *line) {
  char *rest = line;
  char *cmd = strtok_r(rest, " ", &rest);
  while (rest && *rest == ' ') rest++;
  if (!core) out("error no core yet%s%s", "", "");
  else if (!strcmp(cmd, "lab-presence")) presence(rest);
  else if (!strcmp(cmd, "lab-read")) {
    LinphoneChatRoom *cr = room(rest);
    if (cr) {
      linphone_chat_room_mark_as_read(cr);
      out("ok read %s%s", rest, "");
    }
  } else if (!strcmp(cmd, "lab-history")) history(rest);
  else if (!strcmp(cmd, "lab-friend")) friend_status(rest);
  else if (!strcmp(cmd, "lab-compose")) {
    LinphoneChatRoom *cr = room(rest);
    if (cr) {
      linphone_chat_room_compose(cr);
      out("ok compose %s%s", rest, "");
    }
  } else out("error unknown command '%s'%s", cmd, "");
}

char *readline(const char *prompt) {
  static char *(*real)(const char *) = NULL;
  if (!real) real = dlsym(RTLD_NEXT, "readline");
  for (;;) {
    char *line = real(prompt);
    if (!line || strncmp(line, "lab-", 4) != 0) return line;
    lab_command(line);
    free(line);
  }
}
