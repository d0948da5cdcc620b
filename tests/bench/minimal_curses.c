/*
 * minimal_curses.c — the smallest full-screen ncurses program, the baseline
 * bench_tui.c compares start-up against: initialise, show one line, wait
 * for a key, restore the terminal.
 */
#include <curses.h>
#include <locale.h>

int
main(void)
{
	setlocale(LC_ALL, "");
	initscr();
	raw();
	noecho();
	mvaddstr(0, 0, "minimal curses ready");
	refresh();
	getch();
	endwin();
	return 0;
}
